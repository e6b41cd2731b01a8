// Wire messages over a FrameStream: what the node uses to serve and make requests. A frame that fails to decode
// or breaks the exchange resets the stream and is charged to the peer's score; the error is typed and thrown
// to the caller, who drops that request and keeps serving others.
import { LatticeError } from '../model/index.js';
import type { Offense, PeerScores } from './peer-score.js';
import { STREAM_RESET, type FrameStream } from './transport.js';
import { decodeMessage, encodeMessage, remoteError, type MessageOf, type MessageType, type WireMessage } from './wire.js';

export class MessageStream {
  constructor(
    readonly stream: FrameStream,
    private readonly scores?: PeerScores,
  ) {}

  get remoteNodeId(): FrameStream['remoteNodeId'] {
    return this.stream.remoteNodeId;
  }

  send(msg: WireMessage, signal?: AbortSignal): Promise<void> {
    let frame: Uint8Array;
    try {
      frame = encodeMessage(msg);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.stream.send(frame, signal);
  }

  /** The next message, or null when the peer ended the stream. A bad frame resets the stream (typed error). */
  async receive(signal?: AbortSignal): Promise<WireMessage | null> {
    const frame = await this.stream.receive(signal);
    if (frame === null) return null;
    try {
      return decodeMessage(frame);
    } catch (e) {
      const err = e as LatticeError;
      this.punish(err.code === 'E_FRAME_TOO_LARGE' ? 'frame-too-large' : 'bad-frame', err);
      throw err;
    }
  }

  /**
   * The next message, which must be of type `t`. The peer's `err` is thrown as its LatticeError (no penalty);
   * another type, or the end of the stream, is a protocol offense (E_BAD_FRAME).
   */
  async expect<T extends MessageType>(t: T, signal?: AbortSignal): Promise<MessageOf<T>> {
    const m = await this.receive(signal);
    if (m !== null && m.t === t) return m as MessageOf<T>;
    if (m !== null && m.t === 'err') throw remoteError(m);
    const err = new LatticeError('E_BAD_FRAME', m === null ? `the stream ended before a ${t} message` : `expected a ${t} message, got ${m.t}`, { expected: t, got: m?.t ?? null });
    this.punish('protocol', err);
    throw err;
  }

  /** Tells the peer why its request failed (an `err` message), then closes our side. */
  async fail(err: LatticeError, signal?: AbortSignal): Promise<void> {
    try {
      await this.send({ t: 'err', code: err.code, message: err.message.slice(0, 1024) }, signal);
    } finally {
      await this.stream.close();
    }
  }

  /** Charges the peer for `offense` and resets the stream. */
  punish(offense: Offense, err: LatticeError): void {
    this.scores?.penalize(this.stream.remoteNodeId, offense, err.message);
    this.stream.reset(offense === 'frame-too-large' ? STREAM_RESET.frameTooLarge : offense === 'unauthorized' ? STREAM_RESET.unauthorized : STREAM_RESET.badFrame);
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}

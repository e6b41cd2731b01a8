// The net layer's public surface (DESIGN §7). Importing it is cheap: the Iroh binding loads on the first
// createIrohTransport().
export * from './transport.js';
export * from './wire.js';
export * from './message-stream.js';
export * from './peer-score.js';
export * from './channel-network.js';
export * from './channel-transport.js';
export * from './iroh-transport.js';
export { encodeFrame, FrameDecoder, FRAME_HEADER } from './frame.js';
export { FramedStream } from './frame-stream.js';
export { logger, logEnabled, type Logger } from './log.js';
export * from './request-server.js';

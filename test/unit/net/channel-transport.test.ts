import { runTransportConformance } from '../../conformance/transport.js';
import { channelHarness } from '../../helpers/net-channel.js';

runTransportConformance('ChannelTransport', async () => channelHarness());
runTransportConformance('ChannelTransport with latency and jitter', async () => channelHarness({ latencyMs: 3, jitterMs: 4, seed: 7 }));

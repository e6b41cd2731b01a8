import { runTransportConformance } from '../../conformance/transport.js';
import { irohHarness } from '../../helpers/net-iroh.js';

runTransportConformance('IrohTransport (loopback QUIC)', async () => irohHarness());

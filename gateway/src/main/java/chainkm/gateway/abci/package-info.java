/**
 * The ABCI socket server: CometBFT's {@code proxy_app} connects here and drives an
 * {@link chainkm.gateway.abci.AbciApplication}. {@link chainkm.gateway.abci.AbciServer}
 * listens and owns the connection threads, {@code AbciConnection} serves one CometBFT
 * connection, {@code AbciDispatcher} maps a request to the application, and
 * {@link chainkm.gateway.abci.AbciFrames} is the varint length-delimited framing.
 */
package chainkm.gateway.abci;

/**
 * IoTChain's caching proxy (issue 14): the gateway keeps the latest signed protected object of
 * each (device, resource) that its devices push over their DTLS identity, after checking that the
 * device signed it for that resource and that it is newer than the one cached, and serves it to
 * anyone. It never holds a group key: it reads only the session j and sequence number s, which are
 * in the clear. No Californium types here: the CoAP endpoints in {@code chainkm.gateway.coap}
 * translate between the wire and {@link chainkm.gateway.proxy.ObjectAdmission} and
 * {@link chainkm.gateway.proxy.ObjectCache}.
 */
package chainkm.gateway.proxy;

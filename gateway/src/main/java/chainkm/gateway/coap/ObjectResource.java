package chainkm.gateway.coap;

import chainkm.gateway.proxy.CachedObject;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * One node of the proxy's tree below {@code /objects}: a device, a path segment, or a resource
 * with a cached object (a node can be both: {@code /a} and {@code /a/b}). Observable: each newly
 * cached object is notified to the observers, as confirmable messages so that a gone observer is
 * dropped.
 */
final class ObjectResource extends CoapResource {
    private volatile CachedObject object;

    ObjectResource(String name) {
        super(name);
        setObservable(true);
        setObserveType(Type.CON);
        getAttributes().setObservable();
    }

    void update(CachedObject newer) {
        object = newer;
        changed();
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        CachedObject o = object;
        if (o == null) {
            exchange.respond(ResponseCode.NOT_FOUND, "no object cached here", MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        exchange.respond(ResponseCode.CONTENT, o.bytes(), ProxyCoapServer.COSE_SIGN1);
    }
}

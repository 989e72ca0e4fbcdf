package chainkm.gateway.ledger;

import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.Policy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The authorization part of the ledger state: policies by id, each device's owner (the key of
 * its first policy, kept for good so another key cannot take a device over once its policies
 * are removed), every policy id and cti ever used (replays are refused), live tokens by cti,
 * and the revocations (cti with the height of its deletion and the token's exp) that stay
 * until the token would have expired, as RFC 9770's revocation list does. Tokens are also
 * indexed by client key and by exp (derived, not saved). Sorted collections only.
 */
final class AuthorizationRegistry {
    /** A deleted token: when it was deleted and when it would have expired. */
    record Revocation(long height, long exp) {}

    private final TreeMap<byte[], Policy> policies;
    private final TreeMap<String, byte[]> deviceOwners;
    private final TreeSet<byte[]> usedPolicyIds;
    private final TreeSet<byte[]> usedCtis;
    private final TreeMap<byte[], TokenEntry> tokens;
    private final TreeMap<byte[], Revocation> revocations;
    private final TreeMap<byte[], TreeSet<byte[]>> byClient;
    private final TreeMap<Long, TreeSet<byte[]>> byExp;

    private AuthorizationRegistry() {
        policies = new TreeMap<>(Arrays::compareUnsigned);
        deviceOwners = new TreeMap<>();
        usedPolicyIds = new TreeSet<>(Arrays::compareUnsigned);
        usedCtis = new TreeSet<>(Arrays::compareUnsigned);
        tokens = new TreeMap<>(Arrays::compareUnsigned);
        revocations = new TreeMap<>(Arrays::compareUnsigned);
        byClient = new TreeMap<>(Arrays::compareUnsigned);
        byExp = new TreeMap<>();
    }

    static AuthorizationRegistry empty() {
        return new AuthorizationRegistry();
    }

    AuthorizationRegistry copy() {
        AuthorizationRegistry c = new AuthorizationRegistry();
        c.policies.putAll(policies);
        c.deviceOwners.putAll(deviceOwners);
        c.usedPolicyIds.addAll(usedPolicyIds);
        c.usedCtis.addAll(usedCtis);
        c.revocations.putAll(revocations);
        tokens.values().forEach(c::indexToken);
        return c;
    }

    // --- reads ---------------------------------------------------------------------------

    Optional<Policy> policy(byte[] id) {
        return Optional.ofNullable(policies.get(id));
    }

    SortedMap<byte[], Policy> policies() {
        return Collections.unmodifiableSortedMap(policies);
    }

    Optional<byte[]> deviceOwner(String device) {
        return Optional.ofNullable(deviceOwners.get(device)).map(byte[]::clone);
    }

    boolean policyIdUsed(byte[] id) {
        return usedPolicyIds.contains(id);
    }

    boolean ctiUsed(byte[] cti) {
        return usedCtis.contains(cti);
    }

    Optional<TokenEntry> token(byte[] cti) {
        return Optional.ofNullable(tokens.get(cti));
    }

    SortedMap<byte[], TokenEntry> tokens() {
        return Collections.unmodifiableSortedMap(tokens);
    }

    /** The tokens whose cnf is {@code client}, in cti order. */
    List<TokenEntry> tokensOf(byte[] client) {
        List<TokenEntry> out = new ArrayList<>();
        TreeSet<byte[]> ctis = byClient.get(client);
        if (ctis != null) {
            ctis.forEach(c -> out.add(tokens.get(c)));
        }
        return out;
    }

    Optional<Revocation> revocation(byte[] cti) {
        return Optional.ofNullable(revocations.get(cti));
    }

    SortedMap<byte[], Revocation> revocations() {
        return Collections.unmodifiableSortedMap(revocations);
    }

    /** The ctis of tokens (live or revoked) with exp at or below {@code height}. */
    List<byte[]> expiredAt(long height) {
        List<byte[]> out = new ArrayList<>();
        byExp.headMap(height, true).values().forEach(out::addAll);
        return out;
    }

    /** Revoked ctis whose token would have expired at or below {@code height}. */
    List<byte[]> revocationsEndedAt(long height) {
        List<byte[]> out = new ArrayList<>();
        revocations.forEach((cti, r) -> {
            if (r.exp() <= height) {
                out.add(cti);
            }
        });
        return out;
    }

    void forEachDeviceOwner(BiConsumer<String, byte[]> action) {
        deviceOwners.forEach((d, k) -> action.accept(d, k.clone()));
    }

    void forEachUsedPolicyId(Consumer<byte[]> action) {
        usedPolicyIds.forEach(id -> action.accept(id.clone()));
    }

    void forEachUsedCti(Consumer<byte[]> action) {
        usedCtis.forEach(c -> action.accept(c.clone()));
    }

    // --- writes (LedgerState keeps the digest) -------------------------------------------

    void putPolicy(Policy p) {
        policies.put(p.id(), p);
        usedPolicyIds.add(p.id());
    }

    /** Binds the device to its owner; true when it was not bound before. */
    boolean bindOwner(String device, byte[] owner) {
        return deviceOwners.putIfAbsent(device, owner.clone()) == null;
    }

    Policy removePolicy(byte[] id) {
        return policies.remove(id);
    }

    void addToken(TokenEntry e) {
        usedCtis.add(e.token().cti());
        indexToken(e);
    }

    private void indexToken(TokenEntry e) {
        byte[] cti = e.token().cti();
        tokens.put(cti, e);
        byClient.computeIfAbsent(e.token().clientKey(), k -> new TreeSet<>(Arrays::compareUnsigned)).add(cti);
        byExp.computeIfAbsent(e.token().exp(), k -> new TreeSet<>(Arrays::compareUnsigned)).add(cti);
    }

    TokenEntry removeToken(byte[] cti) {
        TokenEntry e = tokens.remove(cti);
        if (e != null) {
            unindex(byClient, e.token().clientKey(), cti);
            unindex(byExp, e.token().exp(), cti);
        }
        return e;
    }

    private static <K> void unindex(TreeMap<K, TreeSet<byte[]>> index, K key, byte[] cti) {
        TreeSet<byte[]> set = index.get(key);
        if (set != null) {
            set.remove(cti);
            if (set.isEmpty()) {
                index.remove(key);
            }
        }
    }

    void addRevocation(byte[] cti, Revocation r) {
        revocations.put(cti.clone(), r);
    }

    Revocation removeRevocation(byte[] cti) {
        return revocations.remove(cti);
    }

    // --- persistence ---------------------------------------------------------------------

    void encodeTo(StateWriter out) {
        out.putInt(policies.size());
        policies.values().forEach(p -> out.putBlob(p.encode()));
        out.putInt(deviceOwners.size());
        deviceOwners.forEach((d, k) -> {
            out.putByte(d.length());
            out.put(d.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.put(k);
        });
        out.putInt(usedPolicyIds.size());
        usedPolicyIds.forEach(out::put);
        out.putInt(usedCtis.size());
        usedCtis.forEach(out::put);
        out.putInt(tokens.size());
        tokens.values().forEach(t -> t.encodeTo(out));
        out.putInt(revocations.size());
        revocations.forEach((cti, r) -> {
            out.put(cti);
            out.putLong(r.height());
            out.putLong(r.exp());
        });
    }

    static AuthorizationRegistry decodeFrom(ByteBuffer in) {
        AuthorizationRegistry r = empty();
        try {
            for (int i = in.getInt(); i > 0; i--) {
                byte[] b = new byte[in.getInt()];
                in.get(b);
                Policy p = Policy.decode(b);
                r.policies.put(p.id(), p);
            }
        } catch (AuthzFormatException e) {
            throw new IllegalArgumentException("a policy in the state file is malformed: " + e.getMessage());
        }
        for (int i = in.getInt(); i > 0; i--) {
            String device = DeviceIdentity.readName(in);
            r.deviceOwners.put(device, fixed(in, 32));
        }
        for (int i = in.getInt(); i > 0; i--) {
            r.usedPolicyIds.add(fixed(in, 32));
        }
        for (int i = in.getInt(); i > 0; i--) {
            r.usedCtis.add(fixed(in, 16));
        }
        for (int i = in.getInt(); i > 0; i--) {
            r.indexToken(TokenEntry.decodeFrom(in));
        }
        for (int i = in.getInt(); i > 0; i--) {
            byte[] cti = fixed(in, 16);
            r.revocations.put(cti, new Revocation(in.getLong(), in.getLong()));
        }
        return r;
    }

    private static byte[] fixed(ByteBuffer in, int size) {
        byte[] b = new byte[size];
        in.get(b);
        return b;
    }

    /** For the digest: every entry kind, in a fixed order. */
    void forEachEntry(Consumer<byte[]> policy, BiConsumer<String, byte[]> owner, Consumer<byte[]> usedId,
                      Consumer<byte[]> usedCti, Consumer<TokenEntry> token, BiConsumer<byte[], Revocation> revocation) {
        policies.values().forEach(p -> policy.accept(p.encode()));
        forEachDeviceOwner(owner);
        forEachUsedPolicyId(usedId);
        forEachUsedCti(usedCti);
        tokens.values().forEach(token);
        for (Map.Entry<byte[], Revocation> e : revocations.entrySet()) {
            revocation.accept(e.getKey().clone(), e.getValue());
        }
    }
}

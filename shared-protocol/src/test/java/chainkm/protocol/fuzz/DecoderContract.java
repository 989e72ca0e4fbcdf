package chainkm.protocol.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What every fuzz target asserts of a decoder: on any input it returns a value or throws its
 * documented format exception. Anything else (a NullPointerException, an index out of bounds, a
 * ClassCastException, a runtime exception of a library it calls) fails the target with the input
 * that caused it; errors (out of memory, stack overflow) fail it on their own.
 */
final class DecoderContract {
    private DecoderContract() {}

    /** A call of a decoder. */
    @FunctionalInterface
    interface Decoding<T> {
        T decode() throws Exception;
    }

    /** The decoded value, or empty when the decoder refused the input with {@code documented}. */
    static <T> Optional<T> decode(Class<? extends Exception> documented, Decoding<T> decoding) {
        return decode(List.of(documented), decoding);
    }

    /** The same, for a decoder with two documented exceptions. */
    static <T> Optional<T> decode(Class<? extends Exception> documented, Class<? extends Exception> alsoDocumented,
                                  Decoding<T> decoding) {
        return decode(List.of(documented, alsoDocumented), decoding);
    }

    private static <T> Optional<T> decode(List<Class<? extends Exception>> documented, Decoding<T> decoding) {
        T value;
        try {
            value = decoding.decode();
        } catch (Exception e) {
            if (documented.stream().anyMatch(c -> c.isInstance(e))) {
                return Optional.empty();
            }
            throw new AssertionError("the decoder threw " + e + ", none of " + documented, e);
        }
        if (value == null) {
            throw new AssertionError("the decoder returned null");
        }
        return Optional.of(value);
    }

    /** For deterministic formats: what was accepted encodes back to the very same bytes. */
    static void sameBytes(String what, byte[] accepted, byte[] encoded) {
        int at = Arrays.mismatch(accepted, encoded);
        if (at >= 0) {
            // offsets only: the bytes may hold (test) key material
            throw new AssertionError(what + " does not encode back to the bytes it was decoded from: "
                    + accepted.length + " bytes became " + encoded.length + ", first difference at offset " + at);
        }
    }

    /** A must-not-happen that is no exception of the decoder (a round trip that refuses what it made). */
    static AssertionError broken(String what, Throwable cause) {
        return new AssertionError(what, cause);
    }
}

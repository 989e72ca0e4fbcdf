package chainkm.gateway.submit;

import chainkm.protocol.crypto.Hex;

/**
 * One signed transaction built for an operation. An operation may need several (its set changed
 * before a block took it); all carry the same node id, so the ledger applies at most one.
 *
 * @param hash  the transaction's hash, hex in upper case as CometBFT and the ledger's listeners name it
 * @param setId the set this attempt names (an older attempt may be the one that lands)
 */
record Attempt(String hash, byte[] tx, int setId) {
    byte[] hashBytes() {
        return Hex.decode(hash);
    }

    @Override
    public String toString() {
        return "Attempt[" + hash + ", set " + setId + "]";
    }
}

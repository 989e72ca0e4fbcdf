package chainkm.protocol.sets;

/**
 * One change made by {@link Reorder}: a node moved between two sets of the same gateway. The key
 * manager rekeys both sets for every move (the node must lose the old set's keys and must not
 * read the new set's past traffic).
 */
public record SetMove(int nodeId, int fromSetId, int toSetId) {
}

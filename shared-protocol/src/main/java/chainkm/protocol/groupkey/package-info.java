/**
 * Self-healing group key distribution (IoTChain, Alphand et al. 2018, section II-E), one group
 * per protected resource: the key server of the device's gateway is the group manager
 * ({@link chainkm.protocol.groupkey.GroupManager}); each client with a live token is a member
 * ({@link chainkm.protocol.groupkey.GroupMember}) holding a personal secret
 * ({@link chainkm.protocol.groupkey.PersonalSecret}). Every session has a broadcast
 * ({@link chainkm.protocol.groupkey.SessionBroadcast}) from which each member computes the
 * session's AES-CCM-16-64-128 key, and the keys of the sessions it missed within the healing
 * window.
 *
 * <p>The scheme: one-way key chains (as in Zhu, Setia and Jajodia 2003), one per epoch, a new
 * epoch with a fresh random chain at every removal, and per-member entries, under each
 * member's own key, that give a member chain values only from its own first session on (binding
 * what a member can compute to its life span, the known fix for the revoked-member/new-member
 * collusion on dual hash chains). Revocations are unbounded; a broadcast costs
 * 26 + g + K + n (17 + 16K) bytes for n members and K epochs in its window. docs/group-keys.md
 * gives the derivations, the wire format and the argument. Pure library: no I/O.
 */
package chainkm.protocol.groupkey;

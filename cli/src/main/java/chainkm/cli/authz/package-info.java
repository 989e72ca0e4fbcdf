/**
 * The authorization commands of {@code bin/chainkm} (IoTChain, docs/authorization.md): a resource
 * owner's and a client's side of the ledger's authorization contracts.
 * <ul>
 *   <li>{@link chainkm.cli.authz.ClientCommand} {@code client keygen}: key pairs ({@link chainkm.cli.authz.KeyDirectory});</li>
 *   <li>{@link chainkm.cli.authz.PolicyCommand} {@code policy put|show|remove},
 *       {@link chainkm.cli.authz.VoucherCommand} {@code voucher},
 *       {@link chainkm.cli.authz.TokenCommand} {@code token add|get|list|delete}.</li>
 * </ul>
 * Statements go, signed, to a gateway's client endpoint ({@link chainkm.cli.authz.ClientPort} over
 * {@link chainkm.cli.authz.ClientEndpoint}, chosen by {@link chainkm.cli.authz.ClientPortOptions});
 * look-ups read the ledger's {@code /authz/...} queries ({@link chainkm.cli.authz.LedgerReader},
 * {@link chainkm.cli.authz.LedgerOptions}). Every command extends {@code AuthzCommand}: one JSON
 * object on stdout, exit code 4 with a {@link chainkm.cli.authz.Refusal} when refused.
 * <p>
 * {@link chainkm.cli.authz.AccessCommand} {@code access}: a client asks a gateway's key server for a
 * resource's group material with its token's key and prints it without key bytes;
 * {@link chainkm.cli.authz.GroupCommand} {@code group listen}: then follows the group's sessions
 * ({@link chainkm.cli.groups.GroupFollower}).
 */
package chainkm.cli.authz;

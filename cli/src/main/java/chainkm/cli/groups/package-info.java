/**
 * A client's side of the self-healing group keys: {@link chainkm.cli.groups.KeyServerAccess} asks
 * a key server for a group's personal secret; {@link chainkm.cli.groups.GroupFollower} follows the
 * group's signed session broadcasts on the home gateway's {@code /authz/group}. The commands are
 * {@code access} and {@code group listen} in {@code chainkm.cli.authz}.
 */
package chainkm.cli.groups;

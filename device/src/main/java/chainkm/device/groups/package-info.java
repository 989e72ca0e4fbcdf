/**
 * The device as a member of the groups of its own resources (IoTChain: the key server passes
 * personal keys to resource servers): {@link chainkm.device.groups.GroupKeys} holds a group member
 * per resource, fed with the home gateway's signed session broadcasts, and gives the key to
 * encrypt under. See docs/group-keys.md, "Group sessions on gateways".
 */
package chainkm.device.groups;

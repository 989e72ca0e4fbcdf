/**
 * {@code bin/chainkm resource get|put}: protected objects (issue 14) as a reader and an operator
 * see them: fetched anonymously from a gateway's caching proxy (or from the device), checked
 * against the device's key on the ledger and, with the session key, opened; and a prepared
 * object pushed to the proxy as its device.
 */
package chainkm.cli.objects;

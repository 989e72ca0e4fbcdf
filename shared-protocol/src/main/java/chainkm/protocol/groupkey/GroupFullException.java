package chainkm.protocol.groupkey;

/** The group already has as many members as one broadcast can carry ({@link GroupManager#maxMembers()}). */
public final class GroupFullException extends Exception {
    private static final long serialVersionUID = 1L;

    public GroupFullException(String message) {
        super(message);
    }
}

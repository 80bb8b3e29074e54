package org.mailsync;

import java.io.IOException;

/**
 * A checkpoint file (snapshot or journal) is damaged somewhere a crash cannot have damaged it:
 * not a torn last record, which is expected after a crash and ignored, but a bad line before the
 * end, bytes that are not UTF-8, a record that contradicts itself. Nothing is cut silently: the
 * message names the file and line and what to do.
 *
 * <p>Immutable once thrown.
 */
public final class CheckpointDamagedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    /**
     * @param file the file (or other source) as the operator knows it
     * @param line the 1-based line at fault
     * @param problem what is wrong there
     * @param remedy what the operator can do
     */
    public CheckpointDamagedException(String file, int line, String problem, String remedy) {
        super(file + ", line " + line + ": " + problem + "; " + remedy);
        this.file = file;
        this.line = line;
    }

    /** The damaged file. */
    public String file() {
        return file;
    }

    /** The 1-based line at fault. */
    public int line() {
        return line;
    }
}

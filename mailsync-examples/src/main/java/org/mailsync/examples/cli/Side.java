package org.mailsync.examples.cli;

/**
 * Which store of a pair: the options and messages of each side carry its name.
 *
 * <p>Immutable.
 */
enum Side {
    SOURCE,
    TARGET;

    /** As options and messages name it: {@code source} or {@code target}. */
    String label() {
        return this == SOURCE ? "source" : "target";
    }
}

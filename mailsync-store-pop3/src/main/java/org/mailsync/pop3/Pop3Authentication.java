package org.mailsync.pop3;

/**
 * How the store logs in with a password ({@link Pop3Store.Builder#password}); a token ({@link
 * Pop3Store.Builder#oauth2}) always goes with SASL XOAUTH2.
 *
 * <p>Immutable.
 */
public enum Pop3Authentication {
    /**
     * APOP (RFC 1939 7: an MD5 digest, the password never sent) where the server's greeting offers
     * it, else USER and PASS.
     */
    AUTO,
    /** USER and PASS, even where APOP is offered. */
    USER_PASS,
    /** SASL PLAIN (RFC 5034 {@code AUTH PLAIN}); a server whose CAPA does not list it is refused. */
    SASL_PLAIN
}

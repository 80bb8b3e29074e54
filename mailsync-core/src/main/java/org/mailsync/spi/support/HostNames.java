package org.mailsync.spi.support;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.jspecify.annotations.Nullable;

/**
 * Whether a server certificate names the host we connected to (RFC 6125): subject alternative
 * names (DNS names, a wildcard only as the whole leftmost label; IP addresses for an IP host),
 * and the subject's CN only when there is no DNS name at all (older self-signed certificates).
 *
 * <p>Thread-safe (stateless).
 */
final class HostNames {
    private static final int DNS = 2;
    private static final int IP = 7;

    private HostNames() {}

    static boolean matches(String host, X509Certificate certificate) {
        String wanted = host.toLowerCase(Locale.ROOT);
        boolean ip = wanted.matches("[0-9.]+") || wanted.contains(":");
        boolean anyDns = false;
        for (List<?> san : alternativeNames(certificate)) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
            if (type == IP && ip && value.equals(wanted)) {
                return true;
            }
            if (type == DNS) {
                anyDns = true;
                if (!ip && dnsMatches(wanted, value)) {
                    return true;
                }
            }
        }
        if (anyDns || ip) {
            return false;
        }
        String cn = commonName(certificate);
        return cn != null && dnsMatches(wanted, cn.toLowerCase(Locale.ROOT));
    }

    /** The names a certificate holds, for an error text. */
    static List<String> names(X509Certificate certificate) {
        List<String> out = new ArrayList<>();
        for (List<?> san : alternativeNames(certificate)) {
            out.add(String.valueOf(san.get(1)));
        }
        String cn = commonName(certificate);
        if (cn != null) {
            out.add("CN=" + cn);
        }
        return out;
    }

    private static boolean dnsMatches(String host, String pattern) {
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(pattern.substring(1));
        }
        return host.equals(pattern);
    }

    private static Collection<List<?>> alternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static @Nullable String commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}

package io.cairn.kernel.auth;

import io.cairn.api.transport.CertificateUsername;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/** The name of a client certificate that a listener uses as the MQTT user name ({@link CertificateUsername}). */
public final class CertificateNames {

    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    private CertificateNames() {
    }

    /** The name {@code from} picks in {@code certificate}, or {@code null} when it has none. */
    public static String of(X509Certificate certificate, CertificateUsername from) {
        return switch (from) {
            case CN -> commonName(certificate);
            case SAN -> alternativeName(certificate);
        };
    }

    private static String commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
            String cn = null;
            for (Rdn rdn : name.getRdns()) { // from the least specific to the most specific
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    cn = rdn.getValue().toString();
                }
            }
            return cn == null || cn.isBlank() ? null : cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    private static String alternativeName(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
        if (names == null) {
            return null;
        }
        for (int type : new int[] {SAN_DNS, SAN_EMAIL, SAN_URI}) {
            for (List<?> n : names) {
                if (n.size() >= 2 && n.get(0) instanceof Integer t && t == type && n.get(1) instanceof String s
                        && !s.isBlank()) {
                    return s;
                }
            }
        }
        return null;
    }
}

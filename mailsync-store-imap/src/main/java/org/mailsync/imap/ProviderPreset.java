package org.mailsync.imap;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import java.text.Normalizer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.mailsync.BackoffPolicy;
import org.mailsync.SpecialUse;

/**
 * What mailsync knows of a large provider's IMAP service, for {@link ImapStore.Builder#preset}
 * (and {@code --preset} on the command line). Both were written from the providers' documentation
 * and tested against a scripted server that answers as they document: no real Gmail or Microsoft
 * 365 account was reachable.
 *
 * <ul>
 *   <li>{@link #GMAIL}: Gmail's folders are labels, and {@code [Gmail]/All Mail}, {@code
 *       Important} and {@code Starred} show every message (or a choice of them) once more. They are
 *       left out of the folder list, each named in {@link ImapStore#skipped()} with the reason (by
 *       their SPECIAL-USE attribute {@code \All}, {@code \Important}, {@code \Flagged}; by
 *       Gmail's names in English, German, French, Spanish, Italian, Dutch and Portuguese where the
 *       server sends no attribute), so each message is copied once per label. {@code [Gmail]/}'s
 *       Sent, Drafts, Trash and Spam are known by attribute, else by their localized names, and map
 *       onto the target's sent, drafts, trash and junk folders. A longer back-off for its
 *       throttling answers.
 *   <li>{@link #OFFICE365}: Microsoft 365's Sent Items, Deleted Items, Junk Email, Archive and
 *       Drafts in the same seven languages are known as special-use folders where the server sends
 *       no attribute; a longer back-off (it suggests waits of a minute); XOAUTH2 first when a token
 *       is given (the mechanism Microsoft documents); the largest message it takes by IMAP APPEND,
 *       150 MB, as the store's size limit, so a larger one is a failed message in the report, not a
 *       failed account.
 * </ul>
 *
 * Throttling answers are recognised on every server, preset or not (their texts are specific):
 * {@code NO [THROTTLED]}, Gmail's "Account exceeded command or bandwidth limits" (also under
 * {@code [OVERQUOTA]}), Microsoft's "Request is throttled. Suggested Backoff Time: N milliseconds"
 * and "Server Unavailable", and {@code NO [UNAVAILABLE]} (RFC 5530): each is waited out and retried.
 * A {@code BYE} (Gmail: "Too many simultaneous connections", "... limits") drops the connection: an
 * idempotent command is retried on a new one after the back-off, an APPEND is left to the engine's
 * settling by identity.
 *
 * <p>Immutable.
 */
public enum ProviderPreset {
    /** Gmail and Google Workspace. */
    GMAIL("gmail"),
    /** Microsoft 365 (Exchange Online) and Outlook.com. */
    OFFICE365("office365");

    /** Microsoft's limit for a message appended by IMAP: 150 MB. */
    static final long OFFICE365_MAX_MESSAGE = 150L << 20;

    private static final Set<String> GMAIL_ROOTS = Set.of("[gmail]", "[google mail]");

    /** Gmail's virtual folders, by attribute, and their names under [Gmail]/ in seven languages. */
    private static final ImmutableMap<String, ImmutableSet<String>> GMAIL_VIRTUAL = ImmutableMap.of(
            "\\All",
                    ImmutableSet.of(
                            "all mail",
                            "alle nachrichten",
                            "tous les messages",
                            "todos",
                            "tutti i messaggi",
                            "alle berichten",
                            "todos os e-mails"),
            "\\Important",
                    ImmutableSet.of("important", "wichtig", "importantes", "importanti", "belangrijk", "importante"),
            "\\Flagged",
                    ImmutableSet.of(
                            "starred", "markiert", "suivis", "destacados", "speciali", "met ster", "com estrela"));

    private static final ImmutableMap<String, String> GMAIL_WHY = ImmutableMap.of(
            "\\All",
            "a virtual folder (\\All) showing every message of the account again; copying it would copy each"
                    + " message once more. Messages archived without any label are only here: copy this folder"
                    + " alone (--include) if they are wanted",
            "\\Important",
            "a virtual folder (\\Important) showing the messages Gmail marked important, each of which is also in"
                    + " its label folders or All Mail",
            "\\Flagged",
            "a virtual folder (\\Flagged) showing the starred messages, each of which is also in its label"
                    + " folders; the star travels with them as \\Flagged");

    /** Gmail's special-use folders under [Gmail]/, by name, where the server sends no attribute. */
    private static final ImmutableMap<String, SpecialUse> GMAIL_NAMES = names(Map.of(
            SpecialUse.SENT,
            List.of(
                    "sent mail",
                    "gesendet",
                    "messages envoyés",
                    "enviados",
                    "posta inviata",
                    "verzonden berichten",
                    "e-mails enviados"),
            SpecialUse.DRAFTS,
            List.of("drafts", "entwürfe", "brouillons", "borradores", "bozze", "concepten", "rascunhos"),
            SpecialUse.TRASH,
            List.of("trash", "bin", "papierkorb", "corbeille", "papelera", "cestino", "prullenbak", "lixeira"),
            SpecialUse.JUNK,
            List.of("spam")));

    /** Microsoft 365's folder names in seven languages (pt: Brazil and Portugal). */
    private static final ImmutableMap<String, SpecialUse> OFFICE365_NAMES = names(Map.of(
            SpecialUse.SENT,
            List.of(
                    "sent items",
                    "gesendete elemente",
                    "éléments envoyés",
                    "elementos enviados",
                    "posta inviata",
                    "verzonden items",
                    "itens enviados"),
            SpecialUse.TRASH,
            List.of(
                    "deleted items",
                    "gelöschte elemente",
                    "éléments supprimés",
                    "elementos eliminados",
                    "posta eliminata",
                    "verwijderde items",
                    "itens excluídos",
                    "itens eliminados"),
            SpecialUse.JUNK,
            List.of(
                    "junk email",
                    "junk e-mail",
                    "junk-e-mail",
                    "courrier indésirable",
                    "correo no deseado",
                    "posta indesiderata",
                    "ongewenste e-mail",
                    "lixo eletrônico",
                    "email de lixo"),
            SpecialUse.ARCHIVE,
            List.of("archive", "archiv", "archivo", "archivio", "archief", "arquivo"),
            SpecialUse.DRAFTS,
            List.of("drafts", "entwürfe", "brouillons", "borradores", "bozze", "concepten", "rascunhos")));

    private final String id;

    ProviderPreset(String id) {
        this.id = id;
    }

    /** The name on the command line: {@code gmail}, {@code office365}. */
    public String id() {
        return id;
    }

    /** The preset of a command-line name, in any case; empty for an unknown name. */
    public static Optional<ProviderPreset> byId(String name) {
        for (ProviderPreset p : values()) {
            if (p.id.equalsIgnoreCase(name.strip())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The back-off this provider's throttling calls for, where the caller set none: Gmail from 2 s
     * doubling to 2 min, Microsoft 365 from 5 s doubling to 5 min (its suggested waits are about a
     * minute); 8 attempts, a fifth of each wait taken off at random so that many accounts throttled
     * together do not come back together. A longer wait the server suggests wins.
     */
    BackoffPolicy retry() {
        BackoffPolicy.Builder b =
                BackoffPolicy.builder().multiplier(2).maxAttempts(8).jitter(0.2);
        return switch (this) {
            case GMAIL -> b.initialDelay(Duration.ofSeconds(2))
                    .maxDelay(Duration.ofMinutes(2))
                    .build();
            case OFFICE365 -> b.initialDelay(Duration.ofSeconds(5))
                    .maxDelay(Duration.ofMinutes(5))
                    .build();
        };
    }

    /** The largest message the provider takes by APPEND, where it says so in its documentation only. */
    OptionalLong maxMessageSize() {
        return this == OFFICE365 ? OptionalLong.of(OFFICE365_MAX_MESSAGE) : OptionalLong.empty();
    }

    /** Whether a token logs in with XOAUTH2 before OAUTHBEARER. */
    boolean prefersXoauth2() {
        return this == OFFICE365;
    }

    /**
     * Why this folder is left out of the folder list, or empty to keep it: Gmail's virtual folders,
     * by attribute first, by name (under {@code [Gmail]/} or {@code [Google Mail]/}) where the
     * server sent no special-use attribute.
     */
    Optional<String> leftOut(String serverName, List<String> attributes, char separator) {
        if (this != GMAIL) {
            return Optional.empty();
        }
        boolean anySpecialUse = false;
        for (String attr : attributes) {
            for (String virtual : GMAIL_VIRTUAL.keySet()) {
                if (attr.equalsIgnoreCase(virtual)) {
                    return Optional.of(why(virtual, "its attribute"));
                }
            }
            anySpecialUse |= SpecialUse.fromAttribute(attr).isPresent();
        }
        if (anySpecialUse) {
            return Optional.empty();
        }
        String leaf = gmailLeaf(serverName, separator);
        if (leaf == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, ImmutableSet<String>> e : GMAIL_VIRTUAL.entrySet()) {
            if (e.getValue().contains(leaf)) {
                return Optional.of(why(e.getKey(), "its name (the server sent no special-use attribute)"));
            }
        }
        return Optional.empty();
    }

    private static String why(String attribute, String how) {
        return "left out by the gmail preset, known by " + how + ": " + GMAIL_WHY.get(attribute);
    }

    /**
     * The special use of a folder the server sent no special-use attribute for, by this provider's
     * names for it; empty for any other name.
     */
    Optional<SpecialUse> useByName(String serverName, char separator) {
        if (this == GMAIL) {
            String leaf = gmailLeaf(serverName, separator);
            return leaf == null ? Optional.empty() : Optional.ofNullable(GMAIL_NAMES.get(leaf));
        }
        if (serverName.indexOf(separator) >= 0) {
            return Optional.empty(); // Microsoft's special folders are top-level folders
        }
        return Optional.ofNullable(OFFICE365_NAMES.get(key(serverName)));
    }

    /** The name below {@code [Gmail]/} (or {@code [Google Mail]/}), as a key; null for other names. */
    private static @org.jspecify.annotations.Nullable String gmailLeaf(String serverName, char separator) {
        int cut = serverName.indexOf(separator);
        if (cut < 0 || !GMAIL_ROOTS.contains(key(serverName.substring(0, cut)))) {
            return null;
        }
        return key(serverName.substring(cut + 1));
    }

    private static String key(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFC).strip().toLowerCase(Locale.ROOT);
    }

    private static ImmutableMap<String, SpecialUse> names(Map<SpecialUse, List<String>> byUse) {
        ImmutableMap.Builder<String, SpecialUse> out = ImmutableMap.builder();
        byUse.forEach((use, list) -> list.forEach(n -> out.put(key(n), use)));
        return out.buildKeepingLast();
    }
}

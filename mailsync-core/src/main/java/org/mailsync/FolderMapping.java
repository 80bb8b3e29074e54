package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which source folders a sync takes and what each is called on the target: include and exclude
 * patterns, special-use automapping (by RFC 6154 attribute first, then by the common localized
 * names), rename rules, and putting everything under a sub-folder. Separators, namespace prefixes
 * and name encodings need no rule: paths are segments and each store writes them its own way.
 *
 * <p>Patterns match the path written with {@code /} between segments; {@code *} matches any text
 * (slashes too), {@code ?} one character; matching ignores case.
 *
 * <p>Immutable and thread-safe.
 */
public final class FolderMapping {
    /** Localized and provider names of special-use folders, lower case, as paths joined by "/". */
    static final ImmutableMap<SpecialUse, ImmutableList<String>> KNOWN_NAMES = ImmutableMap.of(
            SpecialUse.SENT,
                    ImmutableList.of(
                            "sent",
                            "sent items",
                            "sent messages",
                            "sent mail",
                            "gesendete objekte",
                            "gesendete elemente",
                            "gesendet",
                            "[gmail]/sent mail",
                            "[google mail]/sent mail",
                            "envoyés",
                            "messages envoyés",
                            "elementos enviados",
                            "posta inviata",
                            "verzonden items"),
            SpecialUse.DRAFTS,
                    ImmutableList.of(
                            "drafts",
                            "draft",
                            "entwürfe",
                            "[gmail]/drafts",
                            "[google mail]/drafts",
                            "brouillons",
                            "borradores",
                            "bozze",
                            "concepten"),
            SpecialUse.TRASH,
                    ImmutableList.of(
                            "trash",
                            "deleted items",
                            "deleted messages",
                            "papierkorb",
                            "gelöschte elemente",
                            "gelöschte objekte",
                            "[gmail]/trash",
                            "[gmail]/bin",
                            "[google mail]/trash",
                            "bin",
                            "corbeille",
                            "papelera",
                            "cestino",
                            "verwijderde items"),
            SpecialUse.JUNK,
                    ImmutableList.of(
                            "junk",
                            "spam",
                            "junk e-mail",
                            "junk-e-mail",
                            "junk email",
                            "[gmail]/spam",
                            "[google mail]/spam",
                            "bulk mail",
                            "courrier indésirable"),
            SpecialUse.ARCHIVE, ImmutableList.of("archive", "archives", "archiv", "archief"),
            SpecialUse.ALL, ImmutableList.of("all mail", "[gmail]/all mail", "[google mail]/all mail"),
            SpecialUse.FLAGGED, ImmutableList.of("flagged", "[gmail]/starred", "[google mail]/starred", "starred"));

    /** The name a special-use folder gets on a target that has none for that use. */
    static final ImmutableMap<SpecialUse, FolderPath> DEFAULT_NAMES = ImmutableMap.of(
            SpecialUse.SENT, FolderPath.of("Sent"),
            SpecialUse.DRAFTS, FolderPath.of("Drafts"),
            SpecialUse.TRASH, FolderPath.of("Trash"),
            SpecialUse.JUNK, FolderPath.of("Junk"),
            SpecialUse.ARCHIVE, FolderPath.of("Archive"),
            SpecialUse.ALL, FolderPath.of("All Mail"),
            SpecialUse.FLAGGED, FolderPath.of("Flagged"));

    private static final FolderMapping DEFAULTS = builder().build();

    private final ImmutableList<Pattern> includes;
    private final ImmutableList<Pattern> excludes;
    private final ImmutableList<Map.Entry<FolderPath, FolderPath>> renames;
    private final boolean automap;
    private final @Nullable FolderPath under;

    private FolderMapping(Builder b) {
        this.includes = ImmutableList.copyOf(b.includes);
        this.excludes = ImmutableList.copyOf(b.excludes);
        this.renames = ImmutableList.copyOf(b.renames);
        this.automap = b.automap;
        this.under = b.under;
    }

    /** Every folder, special-use folders automapped, names otherwise kept. */
    public static FolderMapping defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the patterns select this source folder. */
    public boolean selects(FolderPath source) {
        String text = source.join('/');
        if (!includes.isEmpty()
                && includes.stream().noneMatch(p -> p.matcher(text).matches())) {
            return false;
        }
        return excludes.stream().noneMatch(p -> p.matcher(text).matches());
    }

    /**
     * The target path of a selected source folder, given what the target already has (for
     * special-use automapping), looking at this folder alone. A sync plans all folders together
     * with {@link #plan}, which also keeps two folders of one special use apart.
     */
    public FolderPath map(FolderInfo source, List<FolderInfo> targetFolders) {
        FolderPath path = source.path();
        boolean renamed = false;
        for (Map.Entry<FolderPath, FolderPath> rule : renames) {
            if (path.startsWith(rule.getKey())) {
                FolderPath rest = null;
                for (String segment : path.segments().subList(rule.getKey().depth(), path.depth())) {
                    rest = rest == null ? FolderPath.of(segment) : rest.child(segment);
                }
                path = rest == null ? rule.getValue() : rule.getValue().resolve(rest);
                renamed = true;
                break;
            }
        }
        if (!renamed && automap) {
            // The folder itself by attribute or name, else its nearest ancestor by name: children
            // follow their special-use parent ("Sent/2023" goes to "Gesendet/2023").
            for (int depth = path.depth(); depth >= 1; depth--) {
                FolderPath prefix = FolderPath.of(path.segments().subList(0, depth));
                Optional<SpecialUse> use = depth == path.depth() ? specialUseOf(source) : specialUseByName(prefix);
                if (use.isPresent()) {
                    FolderPath mapped = targetFor(use.get(), targetFolders);
                    for (String segment : path.segments().subList(depth, path.depth())) {
                        mapped = mapped.child(segment);
                    }
                    path = mapped;
                    break;
                }
            }
        }
        return under == null ? path : under.resolve(path);
    }

    /**
     * The target path of every selectable source folder, planned together so that two source
     * folders never end up in one target folder unless a rename rule says so.
     *
     * <p>Special uses: per use, one source folder claims it: the one with that attribute, else
     * the one whose name comes first in the list of known names. Only that folder (and the
     * folders below it) is automapped; another folder of the same use keeps its name. If an
     * automapped folder would still land where another source folder goes, it keeps its own name
     * too. The plan's notes say what was automapped where, and what was not and why.
     *
     * @param sources the source folders the patterns select, placeholders ({@code \Noselect})
     *     included: a placeholder named "Sent" still takes its children along
     * @param targetFolders the target's folders (for the target's folder of each special use)
     */
    public Plan plan(List<FolderInfo> sources, List<FolderInfo> targetFolders) {
        List<String> notes = new ArrayList<>();
        Map<FolderPath, FolderPath> targets = new LinkedHashMap<>();
        Map<FolderPath, FolderPath> ruleTargets = new LinkedHashMap<>();
        List<FolderInfo> notRenamed = new ArrayList<>();
        for (FolderInfo folder : sources) {
            Optional<FolderPath> renamed = renamed(folder.path());
            if (renamed.isPresent()) {
                ruleTargets.put(folder.path(), renamed.get());
            } else {
                notRenamed.add(folder);
            }
        }
        // Per special use, the one source folder that claims it.
        Map<FolderPath, SpecialUse> winners = new LinkedHashMap<>();
        if (automap) {
            for (SpecialUse use : SpecialUse.values()) {
                List<FolderInfo> byAttribute =
                        notRenamed.stream().filter(f -> f.specialUse() == use).toList();
                List<FolderInfo> byName = notRenamed.stream()
                        .filter(f -> f.specialUse() == null
                                && specialUseByName(f.path()).equals(Optional.of(use)))
                        .sorted(java.util.Comparator.comparingInt(f -> nameRank(use, f.path())))
                        .toList();
                FolderInfo winner =
                        !byAttribute.isEmpty() ? byAttribute.get(0) : byName.isEmpty() ? null : byName.get(0);
                if (winner == null) {
                    continue;
                }
                winners.put(winner.path(), use);
                String how = !byAttribute.isEmpty() ? "by attribute" : "by name";
                for (FolderInfo other : byAttribute) {
                    if (other != winner) {
                        notes.add("folder " + other.path() + " not automapped to " + use.attribute() + ": "
                                + winner.path() + " claims that use too (" + how + "); kept as " + other.path());
                    }
                }
                for (FolderInfo other : byName) {
                    if (other != winner) {
                        notes.add("folder " + other.path() + " not automapped to " + use.attribute() + ": "
                                + winner.path() + " claims that use (" + how
                                + (byAttribute.isEmpty() ? ", a better name match" : "")
                                + "); kept as " + other.path());
                    }
                }
            }
        }
        // Each folder: a rule's target, else after its nearest special-use ancestor (or itself).
        Map<FolderPath, FolderPath> followed = new LinkedHashMap<>();
        for (FolderInfo folder : sources) {
            FolderPath rule = ruleTargets.get(folder.path());
            if (rule != null) {
                targets.put(folder.path(), rule);
                continue;
            }
            FolderPath path = folder.path();
            FolderPath mapped = path;
            for (int depth = path.depth(); depth >= 1; depth--) {
                FolderPath prefix = FolderPath.of(path.segments().subList(0, depth));
                SpecialUse use = winners.get(prefix);
                if (use != null) {
                    mapped = targetFor(use, targetFolders);
                    for (String segment : path.segments().subList(depth, path.depth())) {
                        mapped = mapped.child(segment);
                    }
                    followed.put(path, prefix);
                    break;
                }
            }
            targets.put(path, mapped);
        }
        // No merge the user did not ask for: an automapped folder that would share its target
        // with another folder keeps its name, and so do the folders below the same root.
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<FolderPath, List<FolderPath>> byTarget = new LinkedHashMap<>();
            targets.forEach((source, target) ->
                    byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(source));
            for (Map.Entry<FolderPath, List<FolderPath>> e : byTarget.entrySet()) {
                if (e.getValue().size() < 2) {
                    continue;
                }
                java.util.Set<FolderPath> roots = new java.util.LinkedHashSet<>();
                e.getValue().stream().filter(followed::containsKey).forEach(p -> roots.add(followed.get(p)));
                for (FolderPath root : roots) {
                    notes.add("folder " + root + " not automapped to "
                            + requireNonNull(winners.get(root)).attribute() + " ("
                            + e.getKey() + "): "
                            + e.getValue().stream().filter(p -> !p.equals(root)).toList()
                            + " would go there too; kept as " + root);
                    for (Map.Entry<FolderPath, FolderPath> f : List.copyOf(followed.entrySet())) {
                        if (f.getValue().equals(root)) {
                            targets.put(f.getKey(), f.getKey());
                            followed.remove(f.getKey());
                            changed = true;
                        }
                    }
                }
            }
        }
        for (Map.Entry<FolderPath, FolderPath> f : followed.entrySet()) {
            if (f.getKey().equals(f.getValue())) {
                notes.add("folder " + f.getKey() + " automapped ("
                        + requireNonNull(winners.get(f.getKey())).attribute() + ") to " + targets.get(f.getKey()));
            }
        }
        Map<FolderPath, FolderPath> selectable = new LinkedHashMap<>();
        for (FolderInfo folder : sources) {
            if (folder.selectable()) {
                FolderPath t = requireNonNull(targets.get(folder.path()));
                selectable.put(folder.path(), under == null ? t : under.resolve(t));
            }
        }
        return new Plan(ImmutableMap.copyOf(selectable), ImmutableList.copyOf(notes));
    }

    /**
     * What {@link #plan} decided.
     *
     * @param targets the target path of each selectable source folder
     * @param notes what was automapped where, and what was not and why
     *     <p>Immutable.
     */
    public record Plan(ImmutableMap<FolderPath, FolderPath> targets, ImmutableList<String> notes) {}

    private Optional<FolderPath> renamed(FolderPath path) {
        for (Map.Entry<FolderPath, FolderPath> rule : renames) {
            if (path.startsWith(rule.getKey())) {
                FolderPath rest = null;
                for (String segment : path.segments().subList(rule.getKey().depth(), path.depth())) {
                    rest = rest == null ? FolderPath.of(segment) : rest.child(segment);
                }
                return Optional.of(
                        rest == null ? rule.getValue() : rule.getValue().resolve(rest));
            }
        }
        return Optional.empty();
    }

    static int nameRank(SpecialUse use, FolderPath path) {
        return requireNonNull(KNOWN_NAMES.get(use)).indexOf(path.join('/').toLowerCase(Locale.ROOT));
    }

    /** The special use of a folder: its attribute, else a known name. */
    static Optional<SpecialUse> specialUseOf(FolderInfo folder) {
        if (folder.specialUse() != null) {
            return Optional.of(folder.specialUse());
        }
        return specialUseByName(folder.path());
    }

    static Optional<SpecialUse> specialUseByName(FolderPath path) {
        String name = path.join('/').toLowerCase(Locale.ROOT);
        for (Map.Entry<SpecialUse, ImmutableList<String>> e : KNOWN_NAMES.entrySet()) {
            if (e.getValue().contains(name)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /**
     * The target folder for a special use: the one with that attribute; else the one whose name
     * comes first in the list of known names; else the default name. The default name is the
     * first known name, so once created it stays the choice: the mapping is the same every pass.
     */
    private static FolderPath targetFor(SpecialUse use, List<FolderInfo> targetFolders) {
        for (FolderInfo t : targetFolders) {
            if (t.specialUse() == use) {
                return t.path();
            }
        }
        for (String known : requireNonNull(KNOWN_NAMES.get(use))) {
            for (FolderInfo t : targetFolders) {
                if (t.specialUse() == null
                        && t.path().join('/').toLowerCase(Locale.ROOT).equals(known)) {
                    return t.path();
                }
            }
        }
        return requireNonNull(DEFAULT_NAMES.get(use));
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** Builds a {@link FolderMapping}. Not thread-safe; confine to one thread. */
    public static final class Builder {
        private final List<Pattern> includes = new ArrayList<>();
        private final List<Pattern> excludes = new ArrayList<>();
        private final List<Map.Entry<FolderPath, FolderPath>> renames = new ArrayList<>();
        private boolean automap = true;
        private boolean automapSet;
        private @Nullable FolderPath under;

        private Builder() {}

        /** Takes only folders matching one of the include patterns (all, if none is given). */
        public Builder include(String glob) {
            checkArgument(!glob.isEmpty(), "empty include pattern");
            includes.add(glob(glob));
            return this;
        }

        /** Leaves out folders matching {@code glob}. */
        public Builder exclude(String glob) {
            checkArgument(!glob.isEmpty(), "empty exclude pattern");
            excludes.add(glob(glob));
            return this;
        }

        /** Renames {@code from} and everything below it to {@code to}; the first matching rule wins. */
        public Builder rename(FolderPath from, FolderPath to) {
            for (Map.Entry<FolderPath, FolderPath> rule : renames) {
                checkState(!rule.getKey().equals(from), "a rename rule for %s was already set", from);
            }
            renames.add(Map.entry(from, to));
            return this;
        }

        /** Whether special-use folders go to the target's folder of the same use (default true). */
        public Builder automapSpecialUse(boolean on) {
            checkState(!automapSet, "automap was already set to %s", automap);
            automapSet = true;
            automap = on;
            return this;
        }

        /** Puts every folder, INBOX too, under {@code prefix} on the target. */
        public Builder under(FolderPath prefix) {
            checkState(under == null, "sub-folder was already set to %s", under);
            under = prefix;
            return this;
        }

        public FolderMapping build() {
            return new FolderMapping(this);
        }
    }
}

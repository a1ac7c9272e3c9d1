package dev.namegate.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the pages under {@code docs/} link to each other: every relative link must land
 * on a file of the repository, and every {@code #anchor} on a heading of its page (GitHub's
 * slugs). Links in code blocks and HTML comments are not links; links with a scheme are not
 * checked (no network in tests).
 */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern NOT_TEXT = Pattern.compile("(?s)```.*?```|<!--.*?-->");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsLandsOnAFileOrHeadingOfTheRepository() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        List<Path> pages = pages(root);
        assertThat(pages).contains(root.resolve("README.md"), root.resolve("docs/architecture.md"));

        List<String> links = new ArrayList<>();
        List<String> broken = check(root, pages, links);

        assertThat(links).as("relative links found, so the check is not vacuous").hasSizeGreaterThan(20);
        assertThat(broken).isEmpty();
    }

    @Test
    void aMissingFileAMissingHeadingAndALinkOutOfTheRepositoryAreEachReported(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/page.md"), "# A page\n\n## The `make bench` section\n");
        Files.writeString(root.resolve("README.md"), """
                [fine](docs/page.md#the-make-bench-section), [web](https://example.org/nowhere)
                [gone](docs/missing.md)
                [no such heading](docs/page.md#other-section)
                [outside](../shared/story.txt)
                ```
                [in a code block](nowhere.md)
                ```
                <!-- [in a comment](nowhere.md) -->
                """);
        List<String> links = new ArrayList<>();

        List<String> broken = check(root, pages(root), links);

        assertThat(links).hasSize(4);
        assertThat(broken).containsExactly(
                "README.md: docs/missing.md does not exist",
                "README.md: docs/page.md#other-section has no such heading",
                "README.md: ../shared/story.txt leaves the repository");
    }

    /** README.md and every page under docs/, in a stable order. */
    private static List<Path> pages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The broken links of {@code pages}, one line each; every relative link checked goes to {@code links}. */
    private static List<String> check(Path root, List<Path> pages, List<String> links) throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            String name = root.relativize(page).toString().replace('\\', '/');
            Matcher link = LINK.matcher(NOT_TEXT.matcher(Files.readString(page)).replaceAll(""));
            while (link.find()) {
                String target = link.group(1);
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                links.add(name + ": " + target);
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!resolved.startsWith(root)) {
                    broken.add(name + ": " + target + " leaves the repository");
                } else if (!Files.exists(resolved)) {
                    broken.add(name + ": " + target + " does not exist");
                } else if (hash >= 0 && !headings(resolved).contains(target.substring(hash + 1))) {
                    broken.add(name + ": " + target + " has no such heading");
                }
            }
        }
        return broken;
    }

    /** The anchors GitHub gives the headings of a markdown page. */
    private static Set<String> headings(Path page) throws IOException {
        if (!page.toString().endsWith(".md")) {
            return Set.of();
        }
        String text = NOT_TEXT.matcher(Files.readString(page)).replaceAll("");
        return HEADING.matcher(text).results().map(heading -> slug(heading.group(1))).collect(Collectors.toSet());
    }

    /** GitHub's slug: lower case, letters, digits, spaces, hyphens and underscores kept, spaces as hyphens. */
    private static String slug(String heading) {
        StringBuilder slug = new StringBuilder();
        for (char c : heading.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.append(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        }
        return slug.toString();
    }
}

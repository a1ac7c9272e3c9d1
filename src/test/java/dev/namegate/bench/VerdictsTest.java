package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Each row against the targets: exactly at the line is met, a hair beyond is missed. */
class VerdictsTest {

    @Test
    void singleFaultsNeed995PerMilleCorrectWithin100Ms() {
        assertThat(verdict(row("flaky", 1000, 995, 1.9, 0, 40, 60))).satisfies(v -> {
            assertThat(v.met()).isTrue();
            assertThat(v.line()).isEqualTo("- flaky (sequence): met — 99.50% correct within 100 ms (≥ 99.5%)");
        });
        assertThat(verdict(row("slow", 1000, 994, 1.9, 0, 40, 60)).met()).isFalse();
        assertThat(verdict(row("bad-instances", 1000, 994, 1.0, 0, 40, 60)).line()).contains("MISSED");
        assertThat(verdict(row("peak", 6000, 5970, 1.0, 0, 40, 60)).met()).isTrue();
        assertThat(verdict(row("peak", 6000, 5969, 1.0, 0, 40, 60)).met()).isFalse();
    }

    @Test
    void unknownIdsAreNotRetried() {
        assertThat(verdict(row("unknown-ids", 1000, 1000, 1.1, 0, 10, 20)).met()).isTrue();
        Verdicts.Verdict retried = verdict(row("unknown-ids", 1000, 1000, 1.2, 0, 10, 20));
        assertThat(retried.met()).isFalse();
        assertThat(retried.detail()).contains("upstream attempts/request 1.20 (≤ 1.10)");
    }

    @Test
    void underARateLimit99PercentAndAtMostOnePercentOf429s() {
        // 1000 requests at 1.5 attempts each: 15 429s are 1.0% of the attempts
        assertThat(verdict(row("rate-limited", 1000, 990, 1.5, 15, 50, 90)).met()).isTrue();
        Verdicts.Verdict too429 = verdict(row("storm", 1000, 999, 1.5, 16, 50, 90));
        assertThat(too429.met()).isFalse();
        assertThat(too429.detail()).contains("upstream 429s of attempts 1.07% (≤ 1.00%)");
        assertThat(verdict(row("storm", 1000, 989, 1.5, 0, 50, 90)).met()).isFalse();
    }

    @Test
    void anOutageAnswersEveryRequestWithin100MsWithFewAttempts() {
        assertThat(verdict(row("outage", 1000, 1000, 1.3, 0, 10, 100)).met()).isTrue();
        assertThat(verdict(row("outage", 1000, 1000, 1.31, 0, 10, 20)).met()).isFalse();
        Verdicts.Verdict slowReply = verdict(row("outage", 1000, 1000, 0.1, 0, 10, 100.1));
        assertThat(slowReply.met()).isFalse();
        assertThat(slowReply.detail()).contains("slowest reply ms 100.1 (≤ 100.0)");
    }

    @Test
    void healthyIsJudgedAgainstTheDirectRowWhenThereIsOne() {
        Summary direct = new Summary("healthy", "direct", 100, 1000, 1000, 1000, 0, 0, 0.4, 2.0, 3, 4,
                1000, 0, Double.NaN, Double.NaN, Double.NaN, 0.05, 0.1);
        Summary close = row("healthy", 1000, 1000, 1.0, 0, 7.0, 9);
        Summary far = row("healthy", 1000, 1000, 1.0, 0, 7.1, 9);

        // the sequence measures the direct row at the end, after every healthy row
        List<Verdicts.Verdict> verdicts = Verdicts.judge(List.of(close, far, direct));

        assertThat(verdicts).extracting(Verdicts.Verdict::row).containsExactly("healthy (sequence)",
                "healthy #2 (sequence)");
        assertThat(verdicts.get(0).met()).isTrue();
        assertThat(verdicts.get(0).detail()).endsWith("p99 7.0 ms, direct 2.0 ms: +5.0 ms (≤ +5 ms)");
        assertThat(verdicts.get(1).met()).isFalse();
        assertThat(Verdicts.judge(List.of(close)).get(0).detail()).contains("no direct row to compare with");
    }

    @Test
    void baselinesAndUnknownScenariosGetNoVerdict() {
        Summary naive = new Summary("healthy", "naive", 100, 1000, 1000, 1000, 0, 0, 0.4, 2.0, 3, 4,
                1000, 0, Double.NaN, Double.NaN, 0.01, 0.05, 0.1);
        assertThat(Verdicts.judge(List.of(naive, row("new-scenario", 10, 10, 1, 0, 1, 1)))).isEmpty();
    }

    private static Verdicts.Verdict verdict(Summary row) {
        List<Verdicts.Verdict> verdicts = Verdicts.judge(List.of(row));
        assertThat(verdicts).hasSize(1);
        return verdicts.get(0);
    }

    private static Summary row(String scenario, long requests, long correctWithinSlo, double attemptsPerRequest,
            long upstream429, double p99, double max) {
        return new Summary(scenario, "sequence", 100, requests, correctWithinSlo, correctWithinSlo,
                requests - correctWithinSlo, 0, 1, p99, max, max, Math.round(attemptsPerRequest * requests),
                upstream429, 0.0, Double.NaN, 0.5, 0.05, 0.1);
    }
}

package dev.namegate.upstream.retry;

/**
 * How many extra attempts (retries and hedges) the traffic has earned. First attempts deposit,
 * extra attempts withdraw; a refused withdrawal means the extra attempt is not made.
 */
public interface RetryBudget {

    /** No budget: every extra attempt is allowed (bounded by the allowances and the deadline alone). */
    RetryBudget UNLIMITED = new RetryBudget() {
        @Override
        public void deposit() {
        }

        @Override
        public boolean tryWithdraw() {
            return true;
        }

        @Override
        public double remaining() {
            return Double.POSITIVE_INFINITY;
        }
    };

    /** Records a first attempt, which earns extra attempts. */
    void deposit();

    /** Takes one extra attempt (a retry or a hedge) if the budget allows it. */
    boolean tryWithdraw();

    /** Extra attempts still allowed now. */
    double remaining();
}

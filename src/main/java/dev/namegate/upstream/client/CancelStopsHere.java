package dev.namegate.upstream.client;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * A source that runs to its end though its subscriber cancels: the cancel stops here, and what
 * the source signals after it goes nowhere, errors included (whoever cancelled has moved on), so
 * its values must need no release (a lookup's answer is a plain value; the exchange releases its
 * own body).
 * Hand-written: Reactor has no operator that keeps a cancel from its source; {@code Mono.create}
 * around a subscription would take four objects more per attempt and report late errors as dropped.
 */
final class CancelStopsHere<T> extends Mono<T> {

    private final Mono<T> source;

    private CancelStopsHere(Mono<T> source) {
        this.source = source;
    }

    static <T> Mono<T> above(Mono<T> source) {
        return onAssembly(new CancelStopsHere<>(source));
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new Subscriber<>(actual));
    }

    private static final class Subscriber<T> implements CoreSubscriber<T>, Subscription {
        private final CoreSubscriber<? super T> actual;
        /** Read once: the exchange asks for it several times, and each ask would walk the lookup's chain. */
        private final Context context;
        private Subscription upstream;
        private volatile boolean cancelled;

        Subscriber(CoreSubscriber<? super T> actual) {
            this.actual = actual;
            this.context = actual.currentContext();
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            upstream = subscription;
            actual.onSubscribe(this);
        }

        @Override
        public void onNext(T value) {
            if (!cancelled) {
                actual.onNext(value);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (!cancelled) {
                actual.onError(error);
            }
        }

        @Override
        public void onComplete() {
            if (!cancelled) {
                actual.onComplete();
            }
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}

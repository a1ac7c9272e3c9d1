#!/usr/bin/env python3
"""The CPU a request costs by component, from async-profiler's collapsed stacks (profile.sh).

usage: profile-summary.py collapsed.txt requests load-seconds profiled-seconds interval

Each sample of an event loop is charged to the nearest frame that belongs to a named component
(or to the system call it sits in, for the kernel's part): its own time. Inclusive time counts a
sample once for each of namegate's packages on its stack."""
import collections
import re
import sys

COMPONENTS = [('dev/namegate/', None), ('reactor/netty/', 'reactor-netty'), ('reactor/core/', 'reactor-core'),
              ('io/netty/handler/codec/http', 'netty http codec'), ('io/netty/', 'netty'),
              ('org/springframework/web/reactive/function/client', 'spring webclient'),
              ('org/springframework/web/reactive', 'spring webflux'), ('org/springframework/http', 'spring http'),
              ('org/springframework/', 'spring'), ('com/github/benmanes/caffeine', 'caffeine'),
              ('io/micrometer', 'micrometer'), ('tools/jackson', 'jackson'), ('ch/qos/logback', 'logback'),
              ('java/util/concurrent', 'jdk concurrent'), ('java/', 'jdk'), ('jdk/', 'jdk'), ('sun/', 'jdk')]


def component(frame):
    for prefix, name in COMPONENTS:
        if frame.startswith(prefix):
            if name is None:
                parts = frame.split('/')
                return 'namegate.' + parts[2] if len(parts) > 3 else 'namegate'
            return name
    return None


def own(frames):
    if frames[-1].endswith('_[k]'):
        call = next((m.group(1) for m in map(lambda f: re.match(r'__x64_sys_(\w+)_\[k\]', f), frames) if m), 'other')
        return 'kernel: ' + call
    return next((c for c in map(component, reversed(frames)) if c), 'other')


def main(path, requests, load_seconds, profiled_seconds, interval):
    value, unit = re.fullmatch(r'(\d+)(ms|us)', interval).groups()
    sample_us = int(value) * (1000 if unit == 'ms' else 1)
    profiled_requests = int(requests) * float(profiled_seconds) / float(load_seconds)
    per_request = lambda samples: samples * sample_us / profiled_requests
    loops, others = collections.Counter(), collections.Counter()
    inclusive = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(' ')
        thread, *frames = stack.split(';')
        count = int(count)
        if 'reactor-http' not in thread:
            others[re.sub(r'[\d#\[\]]|tid=\S*', '', thread).strip()] += count
            continue
        loops[own(frames)] += count
        for package in {c for c in map(component, frames) if c and c.startswith('namegate')}:
            inclusive[package] += count
    total = sum(loops.values())
    print(f"event loops: {per_request(total):.1f} us a request ({profiled_requests:,.0f} requests profiled); "
          f"other threads: {per_request(sum(others.values())):.1f} us")
    print('\nown time on the event loops, us a request:')
    for name, samples in loops.most_common():
        if per_request(samples) >= 0.5:
            print(f"  {per_request(samples):7.1f}  {100 * samples / total:5.1f}%  {name}")
    print("\nnamegate's packages with what they call, us a request (a package with a handler in the pipeline "
          "carries everything read after it):")
    for name, samples in inclusive.most_common():
        print(f"  {per_request(samples):7.1f}  {100 * samples / total:5.1f}%  {name}")
    print('\nother threads, us a request:')
    for name, samples in others.most_common(6):
        print(f"  {per_request(samples):7.1f}  {name}")


if __name__ == '__main__':
    main(*sys.argv[1:6])

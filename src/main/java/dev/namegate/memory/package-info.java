/**
 * Heap bounds shared by the features that keep data in memory: each bounded structure's worst
 * case is checked against a share of the heap at start-up ({@link dev.namegate.memory.HeapBudget}).
 */
package dev.namegate.memory;

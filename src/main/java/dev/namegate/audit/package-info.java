/**
 * The audit trail: security events (authentication failures, address throttling, quota warnings
 * and exhaustion, keys-file reloads) written by {@link dev.namegate.audit.AuditLog} as one JSON
 * object per line to the dedicated logger {@code namegate.audit}, apart from the regular logs.
 */
package dev.namegate.audit;

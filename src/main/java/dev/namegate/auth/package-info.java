/**
 * Who may call the API: scannable API keys ({@link dev.namegate.auth.ApiKey}), the keys file of
 * their SHA-256 hashes, reloaded on change ({@link dev.namegate.auth.KeyRegistry}), bearer
 * authentication for the routes ({@link dev.namegate.auth.BearerAuthentication}) and the refusal
 * of credentials in query strings ({@link dev.namegate.auth.CredentialsInQueryFilter}).
 */
package dev.namegate.auth;

package dev.namegate.auth;

import java.util.Objects;

/**
 * An authenticated API client: who it is and the limits its keys file line gives it. This is
 * what {@link BearerAuthentication} leaves in {@link BearerAuthentication#CLIENT_ATTRIBUTE}.
 */
public record Client(ClientId id, ClientLimits limits) {

    public Client {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(limits, "limits");
    }
}

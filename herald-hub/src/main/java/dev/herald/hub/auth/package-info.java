/**
 * The hub's authorisation: Mercure topic selectors ({@link dev.herald.hub.auth.MercureSelector}),
 * JWT verification ({@link dev.herald.hub.auth.JwtVerifier}), where tokens are read from
 * ({@link dev.herald.hub.auth.TokenExtractor}), and the decisions the HTTP layer needs
 * ({@link dev.herald.hub.auth.Authorizer}). See {@code docs/auth.md}.
 */
package dev.herald.hub.auth;

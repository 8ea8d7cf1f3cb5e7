/**
 * The teleop comparison web dashboard: a Javalin HTTP server in front of a
 * {@link mantis.server.teleop.Teleop}, a JSON API ({@code /api/...}) and one plain-JavaScript page
 * (resources {@code mantis/server/dashboard/}) with Chart.js served from its webjar. Listens on
 * localhost by default; bound to any other address every {@code /api} path requires a token.
 */
package mantis.server.dashboard;

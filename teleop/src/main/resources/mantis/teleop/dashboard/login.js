// The login page. A browser arriving from another site (a link in a chat or wiki) does not send the
// SameSite=Strict session cookie with that first request, so a person already logged in sees this page:
// ask once, from this page (same site, so the cookie goes along), and go on to the dashboard if so.
'use strict';

fetch('/api/state', { method: 'GET', credentials: 'same-origin' })
  .then((res) => { if (res.ok) { location.replace('/'); } })
  .catch(() => {});

// Loopback HTTP: 100 sequential keep-alive GETs per test.
const { keepAliveSuite } = require('./keep-alive');

keepAliveSuite('loopback HTTP', require('./size').sizes.http);

// Request-dense tests, as in an API suite: 20 sequential keep-alive GETs per test.
const { keepAliveSuite } = require('./keep-alive');

keepAliveSuite('request-dense HTTP', require('./size').sizes.requests);

// mocha's settings. The whole suite runs when no test file is named (`npm test`); naming files
// (`npx mocha out/test/dataset/csv.test.js`) runs just those — mocha would otherwise add them to the
// configured spec and run everything.
const named = process.argv.slice(2).some((a) => !a.startsWith('-') && /\.test\.js$/.test(a));
module.exports = {
  ...(named ? {} : { spec: ['out/test/**/*.test.js'] }),
  timeout: 120000,
  reporter: './test/support/summary-reporter.js',
  exit: true,
};

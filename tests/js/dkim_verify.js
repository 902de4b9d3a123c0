// Verifies the DKIM signatures of a message with npm mailauth, an
// implementation independent of Herald's. DNS answers come from a JSON file
// ({"name": "TXT value"}), so nothing leaves the machine.
// Usage: node dkim_verify.js MESSAGE_FILE RECORDS_JSON
// Prints one JSON line: [{"domain", "selector", "algo", "result"}...].
'use strict';
const fs = require('fs');
const { dkimVerify } = require('mailauth/lib/dkim/verify');

async function main() {
  const message = fs.readFileSync(process.argv[2]);
  const records = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const resolver = async (name, rr) => {
    const value = records[name.replace(/\.$/, '').toLowerCase()];
    if (rr !== 'TXT' || value === undefined) {
      const err = new Error('not found');
      err.code = 'ENOTFOUND';
      throw err;
    }
    return [[value]];
  };
  const result = await dkimVerify(message, { resolver });
  const out = result.results.map((r) => ({
    domain: r.signingDomain,
    selector: r.selector,
    algo: r.algo,
    result: r.status.result,
    comment: r.status.comment || '',
  }));
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

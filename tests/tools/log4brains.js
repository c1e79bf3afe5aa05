// Runs log4brains 1.1.0's own core library (@log4brains/core, the code behind its CLI and its
// site) on a repository holding a .log4brains.yml, so the suite sees exactly what log4brains
// reads and writes.
//
//   node log4brains.js read DIR                      prints every ADR log4brains finds, as JSON
//   node log4brains.js create DIR SLUG TITLE [SLUG TITLE…]   writes new ADRs from the template
//   node log4brains.js supersede DIR OLD_SLUG NEW_SLUG   marks OLD as superseded by NEW
//
// Modules are found through NODE_PATH (the tool cache's node_modules).
"use strict";

const { Log4brains } = require("@log4brains/core");
const moment = require("moment-timezone");

// The ## Links items that log4brains resolved to another ADR of the repository, read from
// the page body it renders (links it could not resolve stay plain Markdown and are left out).
function resolvedLinks(enhancedMdx) {
  const links = [];
  const section = enhancedMdx.split(/^## Links.*$/m)[1];
  if (!section) {
    return links;
  }
  const body = section.split(/^## /m)[0];
  const item = /^\s*[-*]\s+(.*?)\s*<AdrLink\s+slug="([^"]+)"/gm;
  let match;
  while ((match = item.exec(body)) !== null) {
    links.push({ label: match[1], slug: match[2] });
  }
  return links;
}

function describe(adr, tz) {
  return {
    slug: adr.slug,
    title: adr.title,
    status: adr.status,
    // log4brains stores the Date field as 23:59:59 that day in the project's time zone.
    date: adr.publicationDate ? moment(adr.publicationDate).tz(tz).format("YYYY-MM-DD") : null,
    deciders: adr.deciders,
    tags: adr.tags,
    supersededBy: adr.supersededBy,
    links: resolvedLinks(adr.body.enhancedMdx),
    package: adr.package,
    file: adr.file.relativePath,
    publicationDate: adr.publicationDate,
    creationDate: adr.creationDate,
    lastEditDate: adr.lastEditDate,
    lastEditAuthor: adr.lastEditAuthor,
  };
}

async function main(argv) {
  const [command, dir, ...rest] = argv;
  const l4b = Log4brains.create(dir);
  if (command === "read") {
    const adrs = await l4b.searchAdrs();
    process.stdout.write(JSON.stringify(adrs.map((adr) => describe(adr, l4b.config.project.tz))));
  } else if (command === "create" && rest.length > 0 && rest.length % 2 === 0) {
    const paths = [];
    for (let index = 0; index < rest.length; index += 2) {
      const adr = await l4b.createAdrFromTemplate(rest[index], rest[index + 1]);
      paths.push(adr.file.absolutePath);
    }
    process.stdout.write(paths.join("\n"));
  } else if (command === "supersede" && rest.length === 2) {
    await l4b.supersedeAdr(rest[0], rest[1]);
  } else {
    throw new Error(`usage: log4brains.js read|create|supersede DIR [ARGS] (got ${argv.join(" ")})`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});

import assert from "node:assert/strict";
import { parseSchemeUrl } from "../../../protocols/validate.ts";

Deno.test("parseSchemeUrl: the scheme, a parseable URL, no ? or # part", () => {
  const table: [string, string, string | RegExp][] = [
    ["file:///mnt/usb", "file", "/mnt/usb"],
    ["FILE:///mnt/usb", "file", "/mnt/usb"],
    ["rsync+ssh://u@h:22/srv/x", "rsync+ssh", "/srv/x"],
    ["ftp://u@h/a%3Fb", "ftp", "/a%3Fb"],
    ["ftp://u@h/x", "file", /is not a file:\/\/ URL/],
    ["file:/mnt/usb", "file", /is not a file:\/\/ URL/],
    ["ftp://u@h:99999/x", "ftp", /is not a valid URL/],
    ["ftp://u@h/x?y", "ftp", /has a \? or # part/],
    ["file:///x#y", "file", /has a \? or # part/],
  ];
  for (const [url, scheme, want] of table) {
    const got = parseSchemeUrl(url, scheme);
    if (typeof want === "string") {
      assert.ok(got instanceof URL, `${url}: ${got}`);
      assert.equal(got.pathname, want, url);
    } else {
      assert.equal(typeof got, "string", url);
      assert.match(got as string, want, url);
    }
  }
});

/* Search as households.lookup does it, on the phone: accent-free ("đ" is "d"), words matched from
   their start, names before addresses, and when nothing matches, one typo per word forgiven. */
(function (exports) {
  "use strict";
  const TYPO_MIN_LENGTH = 4;

  function normalize(text) {
    return (text || "").replace(/[đĐ]/g, "d").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  function withinOneEdit(a, b) {
    if (a === b) return true;
    if (a.length === b.length) {
      const diff = [];
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
      return diff.length === 1 || (diff.length === 2 && diff[1] === diff[0] + 1 &&
        a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]);
    }
    if (Math.abs(a.length - b.length) !== 1) return false;
    const [short, long] = a.length < b.length ? [a, b] : [b, a];
    for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
    return false;
  }

  function oneEditPrefix(word, keyWord) {
    for (const end of [word.length - 1, word.length, word.length + 1]) {
      if (end > 0 && end <= keyWord.length && withinOneEdit(word, keyWord.slice(0, end))) return true;
    }
    return false;
  }

  function hit(word, keyWords, forgive) {
    return keyWords.some((w) => w.startsWith(word) || (forgive && word.length >= TYPO_MIN_LENGTH && oneEditPrefix(word, w)));
  }

  // Rank of a household for the words typed (0: all in the name; +1 per word only in the address), or -1.
  function rank(nameWords, otherWords, words, forgive) {
    let result = 0;
    for (const word of words) {
      if (hit(word, nameWords, forgive)) continue;
      if (!hit(word, otherWords, forgive)) return -1;
      result += 1;
    }
    return result;
  }

  // items: [{name: "Nguyễn Văn An", other: "Số 12, đường … Khu vực 1", ...}] → matching items, best first.
  function search(items, query) {
    const words = normalize(query).split(" ").filter(Boolean);
    const keyed = items.map((item) => ({ item, name: normalize(item.name + " | " + item.other), nameWords: normalize(item.name).split(" "),
      otherWords: normalize(item.other).split(" ") }));
    if (!words.length) return keyed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((k) => k.item);
    for (const forgive of [false, true]) {
      if (forgive && Math.max(...words.map((w) => w.length)) < TYPO_MIN_LENGTH) break;
      const found = [];
      for (const k of keyed) {
        const r = rank(k.nameWords, k.otherWords, words, forgive);
        if (r >= 0) found.push([r, k]);
      }
      if (found.length) {
        found.sort((a, b) => a[0] - b[0] || (a[1].name < b[1].name ? -1 : a[1].name > b[1].name ? 1 : 0));
        return found.map(([, k]) => k.item);
      }
    }
    return [];
  }

  exports.GoCuaSearch = { normalize, search, withinOneEdit };
})(typeof module === "object" ? module.exports : self);

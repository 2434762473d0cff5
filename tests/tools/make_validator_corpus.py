#!/usr/bin/python3
"""Writes tests/data/validator_corpus.tsv: values judged by the real Django.

Run it with the interpreter that has Debian bookworm's python3-django 3.2
(Python 3.11, /usr/bin/python3), from anywhere:

    /usr/bin/python3 tests/tools/make_validator_corpus.py [OUTPUT]

Every candidate value is generated here (hand-picked values, then systematic
variations: character sweeps, lengths around every limit, seeded mutations),
and its expected verdict is what django.core.validators.EmailValidator() or
URLValidator() says. A value that is not well-formed UTF-8 has no str for
Django to judge; its verdict is 0, the answer folio gives for such bytes.
The output is deterministic.

Line format: KIND <TAB> VERDICT <TAB> VALUE, where KIND is "email" or "url"
and VERDICT is 1 when Django accepts the value. Lines starting with '#' are
comments. VALUE is UTF-8 with these escapes: \\\\ (backslash), \\t, \\n, \\r,
\\xHH (one raw byte: ASCII controls, a final space, and bytes that are not
part of well-formed UTF-8) and \\u{H...} (a code point that is not
printable, such as U+00A0 or U+2028).
"""

import os
import random
import sys

try:
    import django
    from django.conf import settings
except ImportError:
    sys.exit('Django is missing: run this with /usr/bin/python3 from Debian '
             '(packages python3 and python3-django).')

settings.configure(USE_I18N=False)

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.validators import EmailValidator, URLValidator  # noqa: E402

DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir, 'data',
    'validator_corpus.tsv')

VALIDATORS = {'email': EmailValidator(), 'url': URLValidator()}


def verdict(kind, raw):
    """1 when Django's validator for `kind` accepts the bytes `raw`."""
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        return 0
    try:
        VALIDATORS[kind](text)
    except ValidationError:
        return 0
    return 1


def escape(raw):
    """The corpus form of the bytes `raw` (see the module docstring)."""
    out = []
    text = raw.decode('utf-8', 'surrogateescape')
    for i, ch in enumerate(text):
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:  # A byte that is not UTF-8.
            out.append('\\x%02X' % (cp - 0xDC00))
        elif ch == '\\':
            out.append('\\\\')
        elif ch in '\t\n\r':
            out.append({'\t': '\\t', '\n': '\\n', '\r': '\\r'}[ch])
        elif cp < 0x20 or cp == 0x7F or (ch == ' ' and i == len(text) - 1):
            out.append('\\x%02X' % cp)
        elif cp >= 0x80 and not ch.isprintable():
            out.append('\\u{%X}' % cp)
        else:
            out.append(ch)
    return ''.join(out)


# --- Shared pieces -----------------------------------------------------------

# Characters worth trying at every position: ASCII specials, whitespace
# (Python's \s is Unicode-aware), the non-ASCII letters that re.IGNORECASE
# folds onto ASCII, Unicode digits, and characters that IDNA maps or refuses.
SWEEP_CHARS = (
    [chr(c) for c in range(0x20, 0x7F) if not chr(c).isalnum()] +
    ['\x00', '\x01', '\x08', '\x0b', '\x0c', '\x1c', '\x1f', '\x7f', '\x85',
     '\xa0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f',
     '\u205f', '\u3000', '\u200b', '\u00ad', '\ufeff', '\u180e',
     'a', 'Z', '0', '9', '\u0130', '\u0131', '\u017f', '\u212a', 'ä', 'É',
     'ß', 'ж', 'Ж', 'λ', 'Σ', '中', 'あ', '한', 'ע', 'ب', '\u0e33',
     '\u0663', '\uff11', '\U0001d7ce', '\u00b2', '\uff41', '\uff21',
     '\u3002', '\uff0e', '\uff61', '\u2024', '\u2100', '\uff20', '\uff1a',
     '\uff0f', '\ufe6b', '\ue000', '\ufdd0', '\uffff', '\U0001f600',
     '\U000e0001', '\U00010400'])

IDN_DOMAINS = [
    'münchen.de', 'MÜNCHEN.DE', 'Bücher.example', 'straße.de', 'STRASSE.de',
    'пример.рф', 'ПРИМЕР.РФ', 'испытание.испытание', 'ελληνικά.gr',
    'ΕΛΛΗΝΙΚΆ.gr', 'δοκιμή.δοκιμή', 'παράδειγμα.ελ', '例子.测试', '中文.中国',
    '例え.テスト', 'ドメイン名例.jp', '실례.테스트', '한국.kr', 'مثال.إختبار', 'العربية.com',
    'דוגמה.טעסט', 'עברית.co.il', 'ตัวอย่าง.ไทย', 'उदाहरण.परीक्षा',
    'हिन्दी.भारत', 'việtnam.vn', 'TIẾNG-VIỆT.vn', 'türkçe.com.tr',
    'İstanbul.tr', 'ıi.tr', 'çava.fr', 'ǅemal.ba', 'ßſ.de', 'დოკუმენტი.გე',
    'ᏣᎳᎩ.example', 'Ꮳlanguage.com', 'Ｅｘａｍｐｌｅ.com', 'example。com',
    'example．com', 'example｡com', 'example\u2024com', 'ex\u00adample.com',
    'ex\u200bample.com', 'a\u0301.com', 'á.com', 'ab--cd.de', 'xn--ä.de',
    'XN--ä.de', 'xn--mnchen-3ya.de', 'xn--p1ai.xn--p1ai', 'xn--.de',
    'xn--a.de', '😀.com', '😀😀😀.😀', 'i❤.ws', '𐐀.com', 'עaב.com', 'ע1ב.com',
    'aע.com', 'ע.com', 'א\u0301ב.com', 'ב\u200f.com', 'a\u00a0b.com',
    'a\u3000b.com', 'a\u2028b.com', '\ue000.com', '\U000e0001.com',
    '\ufdd0.com', 'a\u0340b.com', 'ä..de', 'ä.de.', 'ä.de..', '.ä.de', 'ä.',
    '。ä', 'ä。', 'ä.-de', 'ä.de-', '-ä.de', 'ä-.de', 'ä.d', 'ä.1d', 'ä.12',
    'ä_b.de', 'a℀b.com', '①.com', 'ｱｲｳ.jp', '⑴.com',
]


def host_name(length, filler, tld):
    """A dotted name of `length` code points: labels of `filler`, then tld."""
    sizes = []
    rest = length - len(tld) - 1
    while rest > 0:
        size = min(rest, 60 if rest != 61 else 59)
        sizes.append(size)
        rest -= size + 1
    name = '.'.join(filler * size for size in sizes) + '.' + tld
    assert len(name) == length, (length, len(name))
    return name


def punycode_boundary_labels():
    """Labels whose punycode form is about 63 characters, the limit."""
    labels = []
    for ch in ['ä', '中', 'ж', '😀', 'aä']:
        lengths = {}
        for n in range(1, 64):
            label = ch * n
            lengths[n] = len(label.encode('punycode')) + 4
        for n, length in lengths.items():
            if 61 <= length <= 66:
                labels.append(ch * n)
    return labels


IPV4 = [
    '0.0.0.0', '1.2.3.4', '127.0.0.1', '255.255.255.255', '256.1.1.1',
    '1.256.1.1', '1.2.3.256', '01.2.3.4', '1.02.3.4', '1.2.3.04', '00.1.1.1',
    '1.2.3', '1.2.3.4.5', '1..3.4', '1.2.3.', '.1.2.3', '1.2.3.4 ',
    '1e1.1.1.1', '0x1.1.1.1', '+1.1.1.1', '1.2.3.-4', '1000.1.1.1',
    '199.249.250.255', '١.2.3.4', '1٢.0.0.1', '2٥٥.1.1.1', '1.2.3.４',
    '𝟏.1.1.1', '10.0.0.1', '192.168.1.300',
]

IPV6 = [
    '::', '::1', '1::', '1::1', '2001:db8::1', '2001:DB8::1',
    '2001:0db8:0000:0000:0000:ff00:0042:8329',
    '2001:0db8:0000:0000:0000:ff00:0042:83290',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '0000:0000:0000:0000:0000:0000:0000:00001', '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
    '1::3:4:5:6:7:8', '1:2:3:4:5:6::8', '1::2::3', ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:', ':::', '1:::2', '12345::', 'g::1', 'fe80::1%eth0',
    'fe80::1%', 'fe80::1%a%b', '::ffff:1.2.3.4', '::FFFF:192.168.0.1',
    '::ffff:1.2.3.256', '::ffff:01.2.3.4', '::1.2.3.4', '1.2.3.4::',
    '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
    '0000:0000:0000:0000:0000:ffff:255.255.255.255',
    '0:0:0:0:0:ffff:255.255.255.255', 'IPv6:::1', 'v1.abc', 'v1.', 'vz.a',
    '1.2.3.4', '', ':', '::1/128', '١::1', '::１',
]

PORTS = [
    '', ':', ':0', ':8', ':80', ':443', ':8080', ':65535', ':99999', ':123456',
    ':8a', ':-1', ':٨٠', ':８０', ':𝟖𝟎', ':²³', ':80:80',
]


# --- Email candidates --------------------------------------------------------

EMAIL_HAND_PICKED = [
    '', '@', 'a', 'a@', '@b.com', 'a@b', 'a@b.c', 'a@b.co', 'a@b.com',
    'email@here.com', 'weirder-email@here.and.there.com', 'email@[127.0.0.1]',
    'email@[2001:dB8::1]', 'email@[2001:dB8:0:0:0:0:0:1]',
    'email@[::fffF:127.0.0.1]', 'example@valid-----hyphens.com',
    'example@valid-with-hyphens.com',
    'test@domain.with.idn.tld.उदाहरण.परीक्षा', 'email@localhost',
    'email@LOCALHOST', 'email@localhost.', '"test@test"@example.com',
    'example@atm.aaaaaaaaaa',
    'example@atm.' + 'a' * 64,
    'example@-invalid.com', 'example@invalid-.com', 'example@valid-.com.',
    'example@inv-.alid-.com', 'example@inv-.-alid.com',
    'test@example.com\n\n<script src="x.js">', '"\\\x0b"@here.com',
    '"\\\x00"@here.com', '"\\\t"@here.com', 'trailingdot@shouldfail.com.',
    'a@b.com\n', 'a@b.com\r', 'a@b.com ', ' a@b.com', 'a @b.com', 'a@ b.com',
    'a@b .com', 'a\t@b.com', 'a@b.com\t', 'a@\nb.com',
    'first.last@example.com', '.first@example.com', 'first.@example.com',
    'first..last@example.com', 'a.b.c.d.e@example.com', 'a@b@example.com',
    '"a@b"@example.com', '"a"@example.com', '""@example.com',
    '"a b"@example.com', '"a\\ b"@example.com', '"a\\"b"@example.com',
    '"a"b"@example.com', '"a\\\\b"@example.com', '"a\\b"@example.com',
    '"\\"@example.com', '"a"."b"@example.com', '"a".b@example.com',
    'a."b"@example.com', '"a\tb"@example.com', '"a\\\tb"@example.com',
    '"a\nb"@example.com', '"a\\\nb"@example.com', '"a\\\rb"@example.com',
    '"a\x7fb"@example.com', '"a\\\x7fb"@example.com', '"a\u0080b"@example.com',
    '"ä"@example.com', '"\\ä"@example.com', '"ı"@example.com',
    '"\\ſ"@example.com', '"a\x00b"@example.com', '"a\\\x00b"@example.com', '"',
    '""', '"@"@b.com', "!#$%&'*+-/=?^_`{|}~@example.com", 'a(b)@example.com',
    'a<b>@example.com', 'a,b@example.com', 'a;b@example.com',
    'a:b@example.com', 'a[b]@example.com', 'a\\b@example.com', 'ä@example.com',
    'Ä@example.com', 'ı@example.com', 'İ@example.com', 'ſ@example.com',
    'K@example.com', 'user@ı.com', 'user@ſſ.KK', 'user@a.İİ',
    'USER@EXAMPLE.COM', 'user@Example.Com', 'user@1.2.3.4', 'user@123.456',
    'user@a.12', 'user@a.-b', 'user@a.b-', 'user@a.-', 'user@a.--',
    'user@a.1-2', 'user@a-.b', 'user@-a.b', 'user@a..b', 'user@.a.b',
    'user@a.b.', 'user@a_b.com', 'user@a.b_c', 'user@[1.2.3.4]',
    'user@[1.2.3.4', 'user@1.2.3.4]', 'user@[[1.2.3.4]]', 'user@[]',
    'user@[ 1.2.3.4]', 'user@[1.2.3.4] ', 'user@[IPv6:::1]', 'user@[::1]x',
    'user@x[::1]', 'user@[ı]', 'user@[１.2.3.4]', 'user@[1。2.3.4]',
    'user@[1．2.3.4]', 'user@[1.2.3.4]。', 'user@[::1]。',
]


def email_candidates():
    values = list(EMAIL_HAND_PICKED)
    # Character sweeps: dot-atom, quoted-string, quoted pair, domain label,
    # top-level label.
    for ch in SWEEP_CHARS:
        values += ['a%sb@example.com' % ch, '"a%sb"@example.com' % ch,
                   '"a\\%sb"@example.com' % ch, 'user@ex%sample.com' % ch,
                   'user@example.c%sm' % ch]
    for ip in IPV4 + IPV6:
        values.append('user@[%s]' % ip)
    for domain in IDN_DOMAINS:
        values.append('user@' + domain)
    for label in punycode_boundary_labels():
        values.append('user@%s.de' % label)
        values.append('user@example.%s' % label)
    # Label and top-level label lengths around their limits.
    for n in [1, 2, 62, 63, 64]:
        values.append('user@%s.com' % ('a' * n))
        values.append('user@a%sa.com' % ('-' * max(n - 2, 0)))
        values.append('user@example.%s' % ('c' * n))
        values.append('user@example.%s1' % ('c' * (n - 1)))
        values.append('user@%s.%s' % ('ä' * min(n, 30), 'c' * n))
    for n in [61, 62, 63]:
        values.append('user@%s.com' % ('ä' * n))
    # Whole length around 320 code points, in ASCII and wider characters.
    for total in [319, 320, 321]:
        for ch in ['a', 'ä', '中', '😀']:
            domain = '@example.com'
            values.append(ch * (total - len(domain)) + domain)
            values.append('u@' + host_name(total - 2, ch, 'com'))
    # Many labels.
    values.append('user@' + '.'.join(['a'] * 100) + '.com')
    values.append('user@' + '.'.join(['ä'] * 50) + '.com')
    return values


# --- URL candidates ----------------------------------------------------------

URL_HAND_PICKED = [
    '', 'http://', 'http:', 'http:/', 'http:/example.com', 'http//example.com',
    'http:///example.com', 'http:////example.com', 'http://example.com',
    'http://example.com/', 'http://example.com.', 'http://example.com./',
    'http://example.com..', 'http://www.example.com:8000/test',
    'http://valid-with-hyphens.com/', 'http://subdomain.example.com/',
    'http://a.aa', 'http://a.a', 'http://aa', 'http://localhost/',
    'http://localhost:8000', 'http://LOCALHOST', 'http://localhost.',
    'http://localhost.com', 'http://localhost:80:80', 'http://localhoſt',
    'http://LOCALHOſT/x', 'http://localhosts', 'http://my.localhost',
    'https://example.com', 'ftp://example.com', 'ftps://example.com',
    'HTTP://EXAMPLE.COM', 'HtTpS://Example.Com', 'FTPS://x.yz',
    'file://example.com', 'ws://example.com', 'httpx://example.com',
    'htp://example.com', 'https//example.com', '://example.com',
    ' http://example.com', 'http ://example.com', 'http://example.com ',
    'http://example.com/ ', 'http://example.com/a b', 'http://exa mple.com',
    'http://example.com?a b', 'http://example.com#a b',
    'http://example.com/\t', 'http://example.com\n', 'http://exam\nple.com',
    'http://\texample.com', 'http://example.com/\r',
    'http://example.com\u2028', 'http://example.com/\u3000',
    'http://example.com/\u00a0', 'http://example.com/\u0085',
    'http://example.com/\u200b', 'http://example.com/\ufeff',
    'http://example.com/\x1c', 'http://example.com/\x0b',
    'http://example.com/\x00', 'http://example.com/\x7f',
    'http://example.com?', 'http://example.com#', 'http://example.com?#',
    'http://example.com/?q=1&r=2#frag', 'http://example.com/path/to/file.html',
    'http://example.com/%20', 'http://example.com/äöü', 'http://example.com/😀',
    'http://example.com:80/😀', 'http://userid:password@example.com',
    'http://userid:password@example.com:8080/', 'http://userid@example.com',
    'http://userid:@example.com', 'http://:password@example.com',
    'http://@example.com', 'http://u:p:q@example.com', 'http://u@@example.com',
    'http://u@v@example.com', 'http://u/v@example.com',
    'http://u v@example.com', 'http://u\u3000v@example.com',
    'http://ü@example.com', 'http://ü:ö@example.com',
    'http://u%40v@example.com',
    "http://-.~_!$&'()*+,;=:%40:80%2f::::::@example.com",
    'http://a?b@example.com', 'http://a#b@example.com',
    'http://a?b:c@example.com', 'http://example.com/@x',
    'http://example.com?@x', 'http://example.com#@x',
    'http://a[b]@example.com', 'http://[a]@v1.ab', 'http://[a]@v1.a',
    'http://[x]@[::1]', 'http://[::1]@[::1]', 'http://u@[::1]',
    'http://u@[::1]:80', 'http://[::1]', 'http://[::1]:80', 'http://[::1]:8',
    'http://[::1]:123456', 'http://[::1]/', 'http://[::1]?', 'http://[::1]#',
    'http://[::1]x', 'http://x[::1]', 'http://[::1]]', 'http://[[::1]',
    'http://[::1', 'http://::1]', 'http://[]', 'http://[::1]:80:80',
    'http://[::1%25eth0]', 'http://[fe80::1%eth0]', 'http://[v1.abc]',
    'http://[V1.abc]', 'http://[v1.]', 'http://[1.2.3.4]',
    'http://[::ffff:1.2.3.4]', 'http://[::ffff:1.2.3.4]:80',
    'http://[0000:0000:0000:0000:0000:ffff:255.255.255.255]',
    'http://u@[0000:0000:0000:0000:0000:ffff:255.255.255.255]',
    'http://[0000:0000:0000:0000:0000:ffff:255.255.255.255]:8²',
    'http://[::1]:8²', 'http://[::1]:٨٠', 'http://1.1.1.1',
    'http://1.1.1.1:80/x', 'http://01.1.1.1', 'http://1.1.1',
    'http://1.1.1.1.1', 'http://1.1.1.1.', 'http://256.1.1.1',
    'http://1.1.1.1.com', 'http://a.1.1.1', 'http://1.1.1.a',
    'http://1.1.1.aa', 'http://1.1.1.1a', 'http://-invalid.com',
    'http://invalid-.com', 'http://inv-.alid-.com', 'http://inv-.-alid.com',
    'http://valid-----hyphens.com', 'http://a.-b', 'http://a.b-',
    'http://a.b-c', 'http://a.-bc', 'http://a.bc-', 'http://a.b1',
    'http://a.1b', 'http://a.12', 'http://a.b_c', 'http://a_b.com',
    'http://.com', 'http://..com', 'http://a..com', 'http://a.com..',
    'http://.', 'http://..', 'http://a.xn--p1ai', 'http://a.XN--P1AI',
    'http://a.xn--', 'http://a.xn--1', 'http://a.xn--a-',
    'http://a.xn--mnchen-3ya', 'http://a.xn--ſ1', 'http://a.xn--K1',
    'http://a.ſſ', 'http://a.KK', 'http://İİ.com', 'http://a.İı',
    'http://1٢.0.0.1', 'http://١.1.1.1', 'http://2٥٥.1.1.1',
    'http://25٥.1.1.1', 'http://1𝟎.0.0.1', 'http://ä.com', 'http://Ä.COM',
    'http://example.com\u00a0', 'http://\u00a0example.com',
    'http://a\u00a0b.com', 'http://ex℀ample.com', 'http://a＠b.com',
    'http://a：b.com', 'http://a﹫b.com', 'http://a⁇b.com', 'http://ü℀@a.com',
    'http://ü@a.com℀', 'http://a.com/℀', 'http://ü.com/℀', 'http://ü.com︓',
    'http://ü.com:８０', 'http://example。com', 'http://example．com',
    'http://example\u2024com', 'http://ex\u00adample.com',
    'http://ex\u200bample.com', 'http://😀.com', 'http://😀.😀', 'http://a.😀',
    'http://𐐀.com', 'http://\ue000.com', 'http://\U000e0001.com',
    'http://xn--ä.com', 'http://ü.xn--p1ai',
]


def url_candidates():
    values = list(URL_HAND_PICKED)
    # Character sweeps: userinfo, host label, top-level label, path, query.
    for ch in SWEEP_CHARS:
        values += ['http://u%sv@example.com' % ch, 'http://ex%sample.com' % ch,
                   'http://example.c%sm' % ch, 'http://example.com/a%sb' % ch,
                   'http://example.com?%s' % ch]
    for ip in IPV4:
        for port in ['', ':80']:
            values.append('http://%s%s/' % (ip, port))
    for ip in IPV6:
        for template in ['http://[%s]', 'http://[%s]:8080/x',
                         'http://u:p@[%s]']:
            values.append(template % ip)
    for port in PORTS:
        values.append('http://example.com%s' % port)
        values.append('http://example.com%s/path' % port)
        values.append('http://1.2.3.4%s' % port)
        values.append('http://\u00fc.com%s' % port)
    for domain in IDN_DOMAINS:
        values.append('http://' + domain)
        values.append('https://user:pass@%s:8080/path?q=1#f' % domain)
    for label in punycode_boundary_labels():
        values.append('http://%s.de' % label)
        values.append('http://example.%s' % label)
    for n in [1, 2, 59, 60, 62, 63, 64]:
        values.append('http://%s.com' % ('a' * n))
        values.append('http://a.%s.com' % ('b' * n))
        values.append('http://example.%s' % ('c' * n))
        values.append('http://example.%s' % ('\u00e9' * n))
        values.append('http://example.xn--%s' % ('d' * n))
    # Host names around 253 characters, with and without a trailing dot,
    # user info and a port; U+0130 grows by one in lower case.
    for total in [251, 252, 253, 254, 255]:
        for filler in ['a', '\u00e4', '\u0130']:
            host = host_name(total, filler, 'com')
            values += ['http://' + host, 'http://%s./' % host,
                       'http://u:p@%s:80' % host]
    # Whole length around 2048 code points.
    for total in [2047, 2048, 2049]:
        for ch in ['a', '\u00e4', '😀']:
            prefix = 'http://example.com/'
            values.append(prefix + ch * (total - len(prefix)))
    return values


# --- Mutations and bytes -----------------------------------------------------

MUTATION_SEEDS = {
    'email': ['user@example.com', '"quoted user"@example.org',
              'first.last@sub.example.co.uk', 'user@[192.168.0.1]',
              'user@[2001:db8::1]', 'user@münchen.de', 'user@пример.рф'],
    'url': ['http://example.com', 'https://user:pass@example.com:8080/p?q=1#f',
            'ftp://[2001:db8::1]:21/x', 'http://192.168.0.1/',
            'http://münchen.de/', 'http://例子.测试/路径', 'ftps://a.b-c.de./'],
}

MUTATION_CHARS = ('aZ9-._@:/?#[]%"\\ \t\n!~\'' +
                  '\u0131\u017f\u00e4\u00df\u3000\u3002\uff0e\u2100\uff20'
                  '\uff11\u0663\u00b2\U0001f600\u00ad\u200b\u05d0')


def mutations(kind, count, rng):
    """`count` seeds of `kind` with 1 to 3 characters inserted, deleted or
    replaced."""
    values = []
    seeds = MUTATION_SEEDS[kind]
    for _ in range(count):
        chars = list(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(3)
            pos = rng.randrange(len(chars) + 1)
            if op == 0:
                chars.insert(pos, rng.choice(MUTATION_CHARS))
            elif chars:
                pos = min(pos, len(chars) - 1)
                if op == 1:
                    del chars[pos]
                else:
                    chars[pos] = rng.choice(MUTATION_CHARS)
        values.append(''.join(chars))
    return values


NON_UTF8 = [b'\xff', b'\xfe', b'\x80', b'\xbf', b'\xc0\xaf', b'\xc1\xbf',
            b'\xc3', b'\xe0\x80\xaf', b'\xe0\xa0', b'\xed\xa0\x80',
            b'\xed\xbf\xbf', b'\xf0\x82\x82\xac', b'\xf0\x9f\x98',
            b'\xf4\x90\x80\x80', b'\xf5\x80\x80\x80', b'\xf8\x88\x80\x80\x80']


def non_utf8_candidates():
    values = []
    for bad in NON_UTF8:
        values.append(('email', b'user' + bad + b'@example.com'))
        values.append(('email', b'user@ex' + bad + b'ample.com'))
        values.append(('email', b'"' + bad + b'"@example.com'))
        values.append(('url', b'http://example.com/' + bad))
        values.append(('url', b'http://ex' + bad + b'ample.com'))
        values.append(('url', b'http://u' + bad + b'@example.com'))
    values.append(('email', b'\xff'))
    values.append(('url', b'\xff'))
    return values


def main():
    if sys.version_info[:2] != (3, 11) or django.VERSION[:2] != (3, 2):
        sys.exit('needs Python 3.11 and Django 3.2 (Debian bookworm), got '
                 'Python %d.%d and Django %d.%d' %
                 (*sys.version_info[:2], *django.VERSION[:2]))
    output = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT
    rng = random.Random(20240521)
    sections = [
        ('email: hand-picked values, sweeps, literals, IDN, lengths',
         [('email', v.encode('utf-8')) for v in email_candidates()]),
        ('url: hand-picked values, sweeps, IPs, ports, IDN, lengths',
         [('url', v.encode('utf-8')) for v in url_candidates()]),
        ('seeded mutations',
         [('email', v.encode('utf-8')) for v in mutations('email', 250, rng)] +
         [('url', v.encode('utf-8')) for v in mutations('url', 250, rng)]),
        ('bytes that are not UTF-8', non_utf8_candidates()),
    ]
    seen = set()
    lines = [
        '# Generated by tests/tools/make_validator_corpus.py with Python '
        '%d.%d.%d and Django %s; do not edit.' %
        (*sys.version_info[:3], django.get_version()),
        '# kind<TAB>verdict<TAB>value; verdict 1: Django accepts the value.',
        '# Escapes in values: \\\\ \\t \\n \\r \\xHH (raw byte) '
        '\\u{HEX} (code point).',
    ]
    counts = {}
    for title, cases in sections:
        lines.append('# --- %s' % title)
        for kind, raw in cases:
            if (kind, raw) in seen:
                continue
            seen.add((kind, raw))
            result = verdict(kind, raw)
            counts[kind, result] = counts.get((kind, result), 0) + 1
            lines.append('%s\t%d\t%s' % (kind, result, escape(raw)))
    with open(output, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')
    summary = ', '.join('%s %s: %d' % (k, 'valid' if r else 'invalid', n)
                        for (k, r), n in sorted(counts.items()))
    print('%s: %d cases (%s)' % (os.path.normpath(output), len(seen), summary))


if __name__ == '__main__':
    main()

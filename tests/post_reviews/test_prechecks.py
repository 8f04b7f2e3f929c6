"""Pre-check rules: each rule fires on a post that breaks it and stays quiet on one that does not."""

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from post_reviews.platforms import RULES, Platform, PlatformRules, rules_for
from post_reviews.prechecks import (
    RULE_IDS,
    RULE_INFO,
    Finding,
    Media,
    RuleConfig,
    highlight,
    run_prechecks,
)

ALL = RuleConfig.default()


def check(text, *, platform="instagram", media=(), sponsored=False, config=ALL):
    return run_prechecks(text=text, platform=platform, media=media, sponsored=sponsored, config=config)


def rules(findings):
    return [f.rule for f in findings]


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def marked(text, finding):
    return [text[s:e] for s, e in finding.spans]


# --- interface --------------------------------------------------------------------------------------


def test_rule_info_covers_every_rule():
    assert set(RULE_INFO) == set(RULE_IDS)
    for severity, description in RULE_INFO.values():
        assert severity in ("critical", "major", "minor")
        assert description


def test_default_config_enables_everything():
    assert RuleConfig.default().enabled == frozenset(RULE_IDS)
    assert RuleConfig.default().disclosure_tokens == ("#ad", "#sponsored", "paid partnership")


def test_config_accepts_lists_and_rejects_unknown_rules():
    config = RuleConfig(enabled={"over-length"}, banned_terms=["x"])  # as loaded from JSON
    assert config.enabled == frozenset({"over-length"})
    assert config.banned_terms == ("x",)
    hash(config)
    with pytest.raises(ValueError, match="over-lenght"):
        RuleConfig(enabled=frozenset({"over-lenght"}))


def test_platform_rules():
    assert set(RULES) == set(Platform.values)
    assert rules_for("x") == PlatformRules(280, None, None, True)
    assert rules_for(Platform.INSTAGRAM).hashtag_limit == 30
    assert rules_for("threads").hashtag_limit == 1
    assert rules_for("youtube").hashtag_limit == 15
    assert rules_for("tiktok").alt_text_supported is False
    with pytest.raises(KeyError):
        rules_for("myspace")
    with pytest.raises(KeyError):
        check("hi", platform="myspace")


def test_clean_post_has_no_findings():
    text = (
        "Our spring range is here. #ad https://example.com/spring?utm_source=ig&utm_medium=social&utm_campaign=spring"
    )
    config = RuleConfig(
        banned_terms=("guaranteed",), allowed_domains=("example.com",), utm_required_domains=("example.com",)
    )
    assert check(text, media=[Media("image", alt_text="Model in a linen shirt")], sponsored=True, config=config) == []


# --- disclosure-missing -----------------------------------------------------------------------------


def test_disclosure_missing_fires_on_sponsored_post_without_token():
    findings = check("Loving this new blender!", sponsored=True)
    assert rules(findings) == ["disclosure-missing"]
    finding = findings[0]
    assert finding.severity == "critical"
    assert finding.message == 'Sponsored post without a disclosure: add one of #ad, #sponsored, "paid partnership".'


@pytest.mark.parametrize(
    "text", ["#ad Loving this blender", "Loving this blender #AD", "#Sponsored: blender", "In PAID partnership with X"]
)
def test_disclosure_present(text):
    assert "disclosure-missing" not in rules(check(text, sponsored=True))


def test_disclosure_not_needed_when_not_sponsored():
    assert check("Loving this new blender!", sponsored=False) == []


def test_adventure_is_not_ad():
    for text in ["Off on an #adventure", "#ads", "#ad_free living", "#adidas", "word#ad"]:
        assert rules(check(text, sponsored=True)) == ["disclosure-missing"], text


def test_disclosure_phrase_is_whole_phrase_across_whitespace():
    assert "disclosure-missing" not in rules(check("Made in paid\npartnership with Acme.", sponsored=True))
    assert "disclosure-missing" in rules(check("unpaid partnerships are fun", sponsored=True))


def test_disclosure_inside_a_link_does_not_count():
    assert "disclosure-missing" in rules(check("See https://example.com/#ad now", sponsored=True))


def test_custom_disclosure_tokens():
    config = RuleConfig(disclosure_tokens=("#anzeige", "werbung"))
    assert "disclosure-missing" not in rules(check("Neu! #Anzeige", sponsored=True, config=config))
    findings = check("Neu! #ad", sponsored=True, config=config)
    assert findings[0].message == 'Sponsored post without a disclosure: add one of #anzeige, "werbung".'


# --- disclosure-below-fold --------------------------------------------------------------------------


def test_disclosure_below_fold_fires():
    text = "x" * 130 + " #ad"
    findings = check(text, sponsored=True)
    assert rules(findings) == ["disclosure-below-fold"]
    assert findings[0].severity == "major"
    assert marked(text, findings[0]) == ["#ad"]
    assert findings[0].spans == ((131, 134),)
    assert "125" in findings[0].message


def test_disclosure_above_fold_is_fine():
    text = "#ad " + "x" * 200 + " #ad"
    assert check(text, sponsored=True) == []


def test_disclosure_starting_just_before_the_fold_is_fine_and_at_the_fold_is_not():
    assert check("x" * 123 + " #ad", sponsored=True) == []  # "#" at 124, the last visible character
    assert rules(check("x" * 124 + " #ad", sponsored=True)) == ["disclosure-below-fold"]  # "#" at 125


def test_no_fold_on_platform_means_never_below_fold():
    assert check("x" * 200 + " #ad", platform="threads", sponsored=True) == []
    assert check("x" * 250 + " #ad", platform="bluesky", sponsored=True) == []


def test_below_fold_marks_every_occurrence():
    text = "x" * 130 + " #ad and #sponsored"
    finding = check(text, sponsored=True)[0]
    assert marked(text, finding) == ["#ad", "#sponsored"]


# --- alt-text-missing -------------------------------------------------------------------------------


def test_alt_text_missing_names_the_item():
    media = [Media("image", "a.jpg", "A red bike"), Media("video", "b.mp4", "   "), Media("image", "c.jpg")]
    findings = check("New bikes", media=media)
    assert rules(findings) == ["alt-text-missing", "alt-text-missing"]
    assert "Media item 2 (video)" in findings[0].message
    assert "Media item 3 (image)" in findings[1].message
    assert findings[0].severity == "major"


def test_alt_text_present_or_not_supported_or_other_media():
    assert check("Bikes", media=[Media("image", alt_text="A red bike")]) == []
    assert check("Bikes", platform="tiktok", media=[Media("video")]) == []
    assert check("Bikes", media=[Media("link"), Media("audio")]) == []


def test_media_type_is_case_insensitive():
    assert rules(check("Bikes", media=[Media("IMAGE")])) == ["alt-text-missing"]


# --- over-length ------------------------------------------------------------------------------------


def test_over_length_fires_with_overflow_span():
    text = "a" * 285
    findings = check(text, platform="x")
    assert rules(findings) == ["over-length"]
    assert findings[0].spans == ((280, 285),)
    assert "285" in findings[0].message and "280" in findings[0].message and "cut at least 5" in findings[0].message


def test_at_the_limit_is_fine():
    assert check("a" * 280, platform="x") == []
    assert check("a" * 300, platform="bluesky") == []


def test_length_counts_code_points():
    assert check("é" * 300, platform="bluesky") == []
    assert rules(check("é" * 301, platform="bluesky")) == ["over-length"]


# --- too-many-hashtags ------------------------------------------------------------------------------


def test_too_many_hashtags_fires_and_marks_the_extra_ones():
    text = "Weekend! #one #two #three"
    findings = check(text, platform="threads")
    assert rules(findings) == ["too-many-hashtags"]
    assert findings[0].severity == "minor"
    assert marked(text, findings[0]) == ["#two", "#three"]


def test_hashtags_within_limit():
    assert check("Weekend! #one", platform="threads") == []
    assert check(" ".join(f"#tag{i}" for i in range(30)), platform="instagram") == []
    assert rules(check(" ".join(f"#tag{i}" for i in range(31)), platform="instagram")) == ["too-many-hashtags"]


def test_no_hashtag_limit_on_platform():
    assert check(" ".join(f"#tag{i}" for i in range(50)), platform="linkedin") == []


def test_what_counts_as_a_hashtag():
    # Not hashtags: a fragment in a link, an HTML entity, all digits, "#" inside a word.
    text = "See https://example.com/page#section &#39; #1 fan C#sharp #"
    assert check(text, platform="threads") == []
    # Hashtags in any script, with marks, and next to punctuation.
    assert rules(check("(#café) #हिन्दी", platform="threads")) == ["too-many-hashtags"]


# --- banned-term ------------------------------------------------------------------------------------


def test_banned_term_fires_once_per_term_with_all_spans():
    config = RuleConfig(banned_terms=("guaranteed", "risk free", "Guaranteed"))
    text = "Guaranteed results, totally RISK  FREE. guaranteed!"
    findings = only(check(text, config=config), "banned-term")
    assert len(findings) == 2
    by_term = {f.message.split('"')[1]: f for f in findings}
    assert marked(text, by_term["guaranteed"]) == ["Guaranteed", "guaranteed"]
    assert by_term["guaranteed"].spans == ((0, 10), (40, 50))
    assert marked(text, by_term["risk free"]) == ["RISK  FREE"]
    assert all(f.severity == "critical" for f in findings)


def test_banned_term_whole_word_only():
    config = RuleConfig(banned_terms=("cure",))
    assert check("Secure your spot; manicure day", config=config) == []
    assert rules(check("It will cure you", config=config)) == ["banned-term"]


def test_blank_terms_are_ignored():
    assert check("anything", config=RuleConfig(banned_terms=("", "   "), restricted_terms=(" ",))) == []


# --- restricted-term --------------------------------------------------------------------------------


def test_restricted_term_fires():
    config = RuleConfig(restricted_terms=("free",))
    text = "Free shipping, free returns"
    findings = check(text, config=config)
    assert rules(findings) == ["restricted-term"]
    assert findings[0].severity == "minor"
    assert marked(text, findings[0]) == ["Free", "free"]
    assert "2 times" in findings[0].message


def test_restricted_term_absent():
    assert check("Freedom and carefree days", config=RuleConfig(restricted_terms=("free",))) == []


# --- malformed-url ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Go to https://exa mple now", "https://exa"),
        ("Link: http://", "http://"),
        ("Link: http:// here", "http://"),
        ("Shop https://-bad-.com today", "https://-bad-.com"),
        ("Shop https://example..com today", "https://example..com"),
        ("Shop htp://example.com today", "htp://example.com"),
        ("Shop https//example.com today", "https//example.com"),
        ("Shop http:/example.com today", "http:/example.com"),
        ("Port https://example.com:99999/x", "https://example.com:99999/x"),
        ("IPv6 http://[::zz]/", "http://[::zz]/"),
        ("Numbers https://example.123", "https://example.123"),
    ],
)
def test_malformed_url_fires(text, bad):
    findings = check(text)
    assert rules(findings) == ["malformed-url"]
    assert marked(text, findings[0]) == [bad]
    assert findings[0].severity == "major"
    assert bad in findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Shop https://example.com today",
        "Shop HTTPS://EXAMPLE.COM/A?b=c#d today",
        "Shop https://sub.example.co.uk/path_(x) today",
        "Ping http://192.168.0.1:8080/ and http://[2001:db8::1]/x",
        "Intl https://bücher.de and https://例え.テスト and https://xn--p1ai.xn--p1ai/",
        "Mail me at hello@example.com, call 555-0100, ftp://files.example.com, mailto:x@y.z",
        "Time is 10:30, ratio 3:1, C://Users is a path",
        "Use hxxp://evil.example when writing about threats",
        "http/https are protocols; url: example.com",
        "Trailing dot https://example.com.",
        "Archive https://web.archive.org/web/2020/https://example.com/",
    ],
)
def test_valid_links_and_plain_text_are_not_malformed(text):
    assert check(text) == []


# --- domain-not-allowed -----------------------------------------------------------------------------


def test_domain_not_allowed_fires():
    config = RuleConfig(allowed_domains=("example.com",))
    text = "See https://evil.org/a and https://EVIL.org/b and https://notexample.com"
    findings = check(text, config=config)
    assert rules(findings) == ["domain-not-allowed", "domain-not-allowed"]
    assert marked(text, findings[0]) == ["https://evil.org/a", "https://EVIL.org/b"]
    assert "evil.org" in findings[0].message
    assert "notexample.com" in findings[1].message


def test_allowed_domains_and_subdomains_pass():
    config = RuleConfig(allowed_domains=("https://www.Example.com/", "shop.brand.io"))
    text = "https://example.com https://www.example.com/x https://a.b.example.com https://shop.brand.io/p"
    assert check(text, config=config) == []
    assert rules(check("https://brand.io", config=config)) == ["domain-not-allowed"]


def test_any_domain_allowed_when_list_empty():
    assert check("https://anything.example") == []


# --- utm-missing ------------------------------------------------------------------------------------


def test_utm_missing_lists_the_missing_parameters():
    config = RuleConfig(utm_required_domains=("example.com",))
    text = "Buy https://shop.example.com/x?utm_source=ig&utm_campaign= now"
    findings = check(text, config=config)
    assert rules(findings) == ["utm-missing"]
    assert findings[0].severity == "minor"
    assert "utm_medium, utm_campaign" in findings[0].message
    assert "utm_source" not in findings[0].message
    assert marked(text, findings[0]) == ["https://shop.example.com/x?utm_source=ig&utm_campaign="]


def test_utm_present_or_domain_not_tracked():
    config = RuleConfig(utm_required_domains=("example.com",))
    tagged = "https://example.com/?utm_source=ig&utm_medium=social&utm_campaign=spring"
    assert check(f"Buy {tagged}", config=config) == []
    assert check("Read https://other.org/x", config=config) == []


# --- links: trailing punctuation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Visit https://evil.org/a.", "https://evil.org/a"),
        ("Visit (https://evil.org/a)", "https://evil.org/a"),
        ("Visit https://evil.org/a, then", "https://evil.org/a"),
        ("Visit https://evil.org/a!?", "https://evil.org/a"),
        ('Visit "https://evil.org/a"', "https://evil.org/a"),
        ("Visit https://evil.org/wiki/Foo_(bar)).", "https://evil.org/wiki/Foo_(bar)"),
        ("Visit https://evil.org/a;", "https://evil.org/a"),
        ("访问 https://evil.org/a。", "https://evil.org/a"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_url(text, url):
    findings = check(text, config=RuleConfig(allowed_domains=("example.com",)))
    assert [marked(text, f) for f in findings] == [[url]]


# --- enabled rules, ordering, messages --------------------------------------------------------------

EVERYTHING_WRONG = (
    "Guaranteed results! Free! " + "x" * 600 + " #a #b https://evil.org https://exa mple https://example.com/x"
)
EVERYTHING_CONFIG = RuleConfig(
    banned_terms=("guaranteed",),
    restricted_terms=("free",),
    allowed_domains=("example.com",),
    utm_required_domains=("example.com",),
)


def everything(config=EVERYTHING_CONFIG, sponsored=True):
    return check(EVERYTHING_WRONG, platform="threads", media=[Media("image")], sponsored=sponsored, config=config)


def test_every_rule_can_fire_together():
    assert sorted(set(rules(everything()))) == sorted(set(RULE_IDS) - {"disclosure-below-fold"})


@pytest.mark.parametrize("rule", RULE_IDS)
def test_disabled_rule_does_not_run(rule):
    config = replace(EVERYTHING_CONFIG, enabled=frozenset(RULE_IDS) - {rule})
    assert rule not in rules(everything(config))
    assert rule not in rules(check("x" * 130 + " #ad", sponsored=True, config=config))


def test_no_rule_enabled():
    assert everything(replace(EVERYTHING_CONFIG, enabled=frozenset())) == []


def test_below_fold_without_missing_rule_still_silent_when_no_token():
    config = RuleConfig(enabled=frozenset({"disclosure-below-fold"}))
    assert check("no disclosure at all", sponsored=True, config=config) == []


def test_findings_sorted_by_severity_then_position_then_rule():
    findings = everything()
    rank = {"critical": 0, "major": 1, "minor": 2}
    keys = [(rank[f.severity], f.spans[0][0] if f.spans else -1, f.rule) for f in findings]
    assert keys == sorted(keys)
    assert findings[0].rule == "disclosure-missing"  # critical, about the whole post
    assert findings[1].rule == "banned-term"
    assert findings[-1].severity == "minor"


def test_severity_matches_rule_info():
    for finding in everything():
        assert finding.severity == RULE_INFO[finding.rule][0]
        assert finding.message.endswith(".")


# --- highlight --------------------------------------------------------------------------------------


def test_highlight_splits_and_covers_the_text():
    text = "Guaranteed and free"
    findings = [
        Finding("banned-term", "critical", "m", ((0, 10),)),
        Finding("restricted-term", "minor", "m", ((15, 19),)),
    ]
    assert highlight(text, findings) == [("Guaranteed", "banned-term"), (" and ", None), ("free", "restricted-term")]


def test_highlight_overlaps_go_to_the_first_finding():
    text = "free trial today"
    findings = [
        Finding("restricted-term", "minor", "m", ((0, 4),)),
        Finding("banned-term", "critical", "m", ((0, 10),)),
    ]
    assert highlight(text, findings) == [("free", "restricted-term"), (" trial", "banned-term"), (" today", None)]


def test_highlight_merges_overlapping_spans_of_one_rule_and_clips():
    text = "abcdef"
    findings = [Finding("over-length", "major", "m", ((1, 3), (2, 5), (4, 99)))]
    assert highlight(text, findings) == [("a", None), ("bcdef", "over-length")]


def test_highlight_edge_cases():
    assert highlight("", []) == []
    assert highlight("abc", []) == [("abc", None)]
    assert highlight("abc", [Finding("x", "minor", "m", ((1, 1),))]) == [("abc", None)]


def test_highlight_real_findings_covers_text_exactly_once():
    findings = everything()
    segments = highlight(EVERYTHING_WRONG, findings)
    assert "".join(s for s, _ in segments) == EVERYTHING_WRONG
    assert all(s for s, _ in segments)
    assert all(a[1] != b[1] for a, b in itertools.pairwise(segments))
    assert {rule for _, rule in segments} - {None} <= set(RULE_IDS)


# --- property ---------------------------------------------------------------------------------------

PIECES = st.sampled_from(
    ["#ad", "#", "##", "https://", "http://", "https//", "htp://", "://", "example.com", "www.", ".", "..", "(", ")",
     "?utm_source=a&", "[", "]", ":", "%", "-", "_", "@", " ", "\n", "paid", "partnership", "free", "é", "🙂", "&#"]
)  # fmt: skip
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    text=TEXTS,
    platform=st.sampled_from(Platform.values),
    sponsored=st.booleans(),
    alt=st.sampled_from(["", " ", "alt"]),
)
def test_prechecks_never_raise_and_spans_stay_inside(text, platform, sponsored, alt):
    config = RuleConfig(
        banned_terms=("free", "é"),
        restricted_terms=("paid",),
        allowed_domains=("example.com",),
        utm_required_domains=("example.com",),
    )
    findings = run_prechecks(
        text=text, platform=platform, media=[Media("image", alt_text=alt)], sponsored=sponsored, config=config
    )
    for finding in findings:
        assert finding.rule in RULE_IDS
        assert finding.severity == RULE_INFO[finding.rule][0]
        for start, end in finding.spans:
            assert 0 <= start < end <= len(text)
    assert "".join(segment for segment, _ in highlight(text, findings)) == text


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_prechecks_on_arbitrary_unicode(text):
    for finding in run_prechecks(text=text, platform="instagram", media=[], sponsored=True, config=ALL):
        assert all(0 <= s < e <= len(text) for s, e in finding.spans)

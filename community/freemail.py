"""Free-mail domains: an address on one of these proves nothing about an
employer, so it cannot verify a work email. Subdomains count too
(``mail.naver.com``). Extend the list here; it is the only copy."""

FREE_MAIL_DOMAINS = frozenset(
    {
        # Korea
        "naver.com",
        "daum.net",
        "hanmail.net",
        "kakao.com",
        "nate.com",
        "hotmail.co.kr",
        "korea.com",
        "dreamwiz.com",
        "empas.com",
        "paran.com",
        "chol.com",
        "lycos.co.kr",
        # International
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.kr",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "qq.com",
        "163.com",
        "126.com",
        "tutanota.com",
        "fastmail.com",
        "hey.com",
    }
)


def is_free_mail_domain(domain: str) -> bool:
    domain = domain.strip().lower().rstrip(".")
    parts = domain.split(".")
    return any(".".join(parts[i:]) in FREE_MAIL_DOMAINS for i in range(len(parts)))

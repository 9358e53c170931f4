"""Built-in geographic and language reference tables for peermatch.

Pure data plus a few lookup helpers: no I/O, stdlib only.

``COUNTRIES``
    Every officially assigned ISO 3166-1 alpha-2 code (249), keyed by upper-case code.
    Names are short English names as an NGO would write them ("Tanzania", "Iran",
    "Democratic Republic of the Congo"); the longer ISO forms ("Tanzania, United Republic
    of") and ISO alpha-3 codes are accepted by :func:`suggest_country`.

``REGIONS``
    UNESCO's five regional groupings, as used in GEM Report / UIS regional tables:

    * ``africa`` -- sub-Saharan Africa (Comoros and Somalia included, as UNESCO does).
    * ``arab_states`` -- the Arab States group: North Africa, Mauritania, Sudan, Djibouti,
      the Gulf and Mashreq states, Palestine and Yemen. Western Sahara (EH) is placed
      here by geography.
    * ``asia_pacific`` -- South, South-East, East and Central Asia (Kazakhstan, Kyrgyzstan,
      Tajikistan, Turkmenistan, Uzbekistan), Afghanistan, Iran and the Pacific.
    * ``europe_north_america`` -- Europe, Canada and the United States, plus Israel,
      Türkiye, Cyprus, the Russian Federation and the Caucasus (Armenia, Azerbaijan,
      Georgia), following UNESCO.
    * ``latin_america_caribbean`` -- Latin America and the Caribbean.

    Territories are assigned by geography, following their UN M49 sub-region: e.g.
    Réunion, Mayotte, St Helena, the British Indian Ocean Territory and the French
    Southern Territories -> africa; Greenland, Bermuda, Saint Pierre and Miquelon ->
    europe_north_america; Caribbean and South Atlantic territories (incl. the Falklands,
    South Georgia and Bouvet Island) -> latin_america_caribbean; Pacific territories,
    Hong Kong, Macao and Taiwan -> asia_pacific. Antarctica (AQ), which has no M49
    region, is filed under europe_north_america as a placeholder; no member is based there.

``Country.global_south``
    The rule is by region, with one explicit list of exceptions:

    * africa, arab_states, latin_america_caribbean: always ``True`` (territories included).
    * europe_north_america: always ``False``.
    * asia_pacific: ``True`` except Australia (AU), New Zealand (NZ), Japan (JP),
      South Korea (KR), Singapore (SG) and Australia's external territories --
      Christmas Island (CX), Cocos (Keeling) Islands (CC), Norfolk Island (NF) and
      Heard Island and McDonald Islands (HM) -- which are ``False``. The Cook Islands,
      Niue and Tokelau (associated with New Zealand) stay ``True``.

``LANGUAGE_NAMES``
    Every ISO 639-1 two-letter code (184, including ``bh``) mapped to its usual English
    name.
"""

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "COUNTRIES",
    "LANGUAGE_NAMES",
    "REGIONS",
    "REGION_LABELS",
    "Country",
    "country",
    "is_language",
    "suggest_country",
    "suggest_language",
]

REGIONS: tuple[str, ...] = (
    "africa",
    "arab_states",
    "asia_pacific",
    "europe_north_america",
    "latin_america_caribbean",
)

REGION_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "africa": MappingProxyType(
            {"en": "Africa", "fr": "Afrique", "es": "África", "pt": "África", "ar": "أفريقيا"}
        ),
        "arab_states": MappingProxyType(
            {
                "en": "Arab States",
                "fr": "États arabes",
                "es": "Estados Árabes",
                "pt": "Estados Árabes",
                "ar": "الدول العربية",
            }
        ),
        "asia_pacific": MappingProxyType(
            {
                "en": "Asia and the Pacific",
                "fr": "Asie et Pacifique",
                "es": "Asia y el Pacífico",
                "pt": "Ásia e Pacífico",
                "ar": "آسيا والمحيط الهادئ",
            }
        ),
        "europe_north_america": MappingProxyType(
            {
                "en": "Europe and North America",
                "fr": "Europe et Amérique du Nord",
                "es": "Europa y América del Norte",
                "pt": "Europa e América do Norte",
                "ar": "أوروبا وأمريكا الشمالية",
            }
        ),
        "latin_america_caribbean": MappingProxyType(
            {
                "en": "Latin America and the Caribbean",
                "fr": "Amérique latine et Caraïbes",
                "es": "América Latina y el Caribe",
                "pt": "América Latina e Caribe",
                "ar": "أمريكا اللاتينية ومنطقة البحر الكاريبي",
            }
        ),
    }
)

# Asia-Pacific countries and territories that are *not* Global South (see module docstring).
_ASIA_PACIFIC_NORTH = frozenset({"AU", "NZ", "JP", "KR", "SG", "CX", "CC", "NF", "HM"})
_SOUTH_REGIONS = frozenset({"africa", "arab_states", "latin_america_caribbean"})


@dataclass(frozen=True)
class Country:
    """One ISO 3166-1 country or territory.

    >>> country("KE")
    Country(code='KE', name='Kenya', region='africa', global_south=True)
    """

    code: str
    name: str
    region: str
    global_south: bool


# region -> ((alpha-2, alpha-3, short English name), ...), sorted by name.
_COUNTRY_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "africa": (
        ("AO", "AGO", "Angola"),
        ("BJ", "BEN", "Benin"),
        ("BW", "BWA", "Botswana"),
        ("IO", "IOT", "British Indian Ocean Territory"),
        ("BF", "BFA", "Burkina Faso"),
        ("BI", "BDI", "Burundi"),
        ("CV", "CPV", "Cabo Verde"),
        ("CM", "CMR", "Cameroon"),
        ("CF", "CAF", "Central African Republic"),
        ("TD", "TCD", "Chad"),
        ("KM", "COM", "Comoros"),
        ("CI", "CIV", "Côte d'Ivoire"),
        ("CD", "COD", "Democratic Republic of the Congo"),
        ("GQ", "GNQ", "Equatorial Guinea"),
        ("ER", "ERI", "Eritrea"),
        ("SZ", "SWZ", "Eswatini"),
        ("ET", "ETH", "Ethiopia"),
        ("TF", "ATF", "French Southern Territories"),
        ("GA", "GAB", "Gabon"),
        ("GM", "GMB", "Gambia"),
        ("GH", "GHA", "Ghana"),
        ("GN", "GIN", "Guinea"),
        ("GW", "GNB", "Guinea-Bissau"),
        ("KE", "KEN", "Kenya"),
        ("LS", "LSO", "Lesotho"),
        ("LR", "LBR", "Liberia"),
        ("MG", "MDG", "Madagascar"),
        ("MW", "MWI", "Malawi"),
        ("ML", "MLI", "Mali"),
        ("MU", "MUS", "Mauritius"),
        ("YT", "MYT", "Mayotte"),
        ("MZ", "MOZ", "Mozambique"),
        ("NA", "NAM", "Namibia"),
        ("NE", "NER", "Niger"),
        ("NG", "NGA", "Nigeria"),
        ("CG", "COG", "Republic of the Congo"),
        ("RW", "RWA", "Rwanda"),
        ("RE", "REU", "Réunion"),
        ("SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha"),
        ("ST", "STP", "Sao Tome and Principe"),
        ("SN", "SEN", "Senegal"),
        ("SC", "SYC", "Seychelles"),
        ("SL", "SLE", "Sierra Leone"),
        ("SO", "SOM", "Somalia"),
        ("ZA", "ZAF", "South Africa"),
        ("SS", "SSD", "South Sudan"),
        ("TZ", "TZA", "Tanzania"),
        ("TG", "TGO", "Togo"),
        ("UG", "UGA", "Uganda"),
        ("ZM", "ZMB", "Zambia"),
        ("ZW", "ZWE", "Zimbabwe"),
    ),
    "arab_states": (
        ("DZ", "DZA", "Algeria"),
        ("BH", "BHR", "Bahrain"),
        ("DJ", "DJI", "Djibouti"),
        ("EG", "EGY", "Egypt"),
        ("IQ", "IRQ", "Iraq"),
        ("JO", "JOR", "Jordan"),
        ("KW", "KWT", "Kuwait"),
        ("LB", "LBN", "Lebanon"),
        ("LY", "LBY", "Libya"),
        ("MR", "MRT", "Mauritania"),
        ("MA", "MAR", "Morocco"),
        ("OM", "OMN", "Oman"),
        ("PS", "PSE", "Palestine"),
        ("QA", "QAT", "Qatar"),
        ("SA", "SAU", "Saudi Arabia"),
        ("SD", "SDN", "Sudan"),
        ("SY", "SYR", "Syria"),
        ("TN", "TUN", "Tunisia"),
        ("AE", "ARE", "United Arab Emirates"),
        ("EH", "ESH", "Western Sahara"),
        ("YE", "YEM", "Yemen"),
    ),
    "asia_pacific": (
        ("AF", "AFG", "Afghanistan"),
        ("AS", "ASM", "American Samoa"),
        ("AU", "AUS", "Australia"),
        ("BD", "BGD", "Bangladesh"),
        ("BT", "BTN", "Bhutan"),
        ("BN", "BRN", "Brunei"),
        ("KH", "KHM", "Cambodia"),
        ("CN", "CHN", "China"),
        ("CX", "CXR", "Christmas Island"),
        ("CC", "CCK", "Cocos (Keeling) Islands"),
        ("CK", "COK", "Cook Islands"),
        ("FJ", "FJI", "Fiji"),
        ("PF", "PYF", "French Polynesia"),
        ("GU", "GUM", "Guam"),
        ("HM", "HMD", "Heard Island and McDonald Islands"),
        ("HK", "HKG", "Hong Kong"),
        ("IN", "IND", "India"),
        ("ID", "IDN", "Indonesia"),
        ("IR", "IRN", "Iran"),
        ("JP", "JPN", "Japan"),
        ("KZ", "KAZ", "Kazakhstan"),
        ("KI", "KIR", "Kiribati"),
        ("KG", "KGZ", "Kyrgyzstan"),
        ("LA", "LAO", "Laos"),
        ("MO", "MAC", "Macao"),
        ("MY", "MYS", "Malaysia"),
        ("MV", "MDV", "Maldives"),
        ("MH", "MHL", "Marshall Islands"),
        ("FM", "FSM", "Micronesia"),
        ("MN", "MNG", "Mongolia"),
        ("MM", "MMR", "Myanmar"),
        ("NR", "NRU", "Nauru"),
        ("NP", "NPL", "Nepal"),
        ("NC", "NCL", "New Caledonia"),
        ("NZ", "NZL", "New Zealand"),
        ("NU", "NIU", "Niue"),
        ("NF", "NFK", "Norfolk Island"),
        ("KP", "PRK", "North Korea"),
        ("MP", "MNP", "Northern Mariana Islands"),
        ("PK", "PAK", "Pakistan"),
        ("PW", "PLW", "Palau"),
        ("PG", "PNG", "Papua New Guinea"),
        ("PH", "PHL", "Philippines"),
        ("PN", "PCN", "Pitcairn"),
        ("WS", "WSM", "Samoa"),
        ("SG", "SGP", "Singapore"),
        ("SB", "SLB", "Solomon Islands"),
        ("KR", "KOR", "South Korea"),
        ("LK", "LKA", "Sri Lanka"),
        ("TW", "TWN", "Taiwan"),
        ("TJ", "TJK", "Tajikistan"),
        ("TH", "THA", "Thailand"),
        ("TL", "TLS", "Timor-Leste"),
        ("TK", "TKL", "Tokelau"),
        ("TO", "TON", "Tonga"),
        ("TM", "TKM", "Turkmenistan"),
        ("TV", "TUV", "Tuvalu"),
        ("UM", "UMI", "United States Minor Outlying Islands"),
        ("UZ", "UZB", "Uzbekistan"),
        ("VU", "VUT", "Vanuatu"),
        ("VN", "VNM", "Viet Nam"),
        ("WF", "WLF", "Wallis and Futuna"),
    ),
    "europe_north_america": (
        ("AL", "ALB", "Albania"),
        ("AD", "AND", "Andorra"),
        ("AQ", "ATA", "Antarctica"),
        ("AM", "ARM", "Armenia"),
        ("AT", "AUT", "Austria"),
        ("AZ", "AZE", "Azerbaijan"),
        ("BY", "BLR", "Belarus"),
        ("BE", "BEL", "Belgium"),
        ("BM", "BMU", "Bermuda"),
        ("BA", "BIH", "Bosnia and Herzegovina"),
        ("BG", "BGR", "Bulgaria"),
        ("CA", "CAN", "Canada"),
        ("HR", "HRV", "Croatia"),
        ("CY", "CYP", "Cyprus"),
        ("CZ", "CZE", "Czechia"),
        ("DK", "DNK", "Denmark"),
        ("EE", "EST", "Estonia"),
        ("FO", "FRO", "Faroe Islands"),
        ("FI", "FIN", "Finland"),
        ("FR", "FRA", "France"),
        ("GE", "GEO", "Georgia"),
        ("DE", "DEU", "Germany"),
        ("GI", "GIB", "Gibraltar"),
        ("GR", "GRC", "Greece"),
        ("GL", "GRL", "Greenland"),
        ("GG", "GGY", "Guernsey"),
        ("VA", "VAT", "Holy See"),
        ("HU", "HUN", "Hungary"),
        ("IS", "ISL", "Iceland"),
        ("IE", "IRL", "Ireland"),
        ("IM", "IMN", "Isle of Man"),
        ("IL", "ISR", "Israel"),
        ("IT", "ITA", "Italy"),
        ("JE", "JEY", "Jersey"),
        ("LV", "LVA", "Latvia"),
        ("LI", "LIE", "Liechtenstein"),
        ("LT", "LTU", "Lithuania"),
        ("LU", "LUX", "Luxembourg"),
        ("MT", "MLT", "Malta"),
        ("MD", "MDA", "Moldova"),
        ("MC", "MCO", "Monaco"),
        ("ME", "MNE", "Montenegro"),
        ("NL", "NLD", "Netherlands"),
        ("MK", "MKD", "North Macedonia"),
        ("NO", "NOR", "Norway"),
        ("PL", "POL", "Poland"),
        ("PT", "PRT", "Portugal"),
        ("RO", "ROU", "Romania"),
        ("RU", "RUS", "Russian Federation"),
        ("PM", "SPM", "Saint Pierre and Miquelon"),
        ("SM", "SMR", "San Marino"),
        ("RS", "SRB", "Serbia"),
        ("SK", "SVK", "Slovakia"),
        ("SI", "SVN", "Slovenia"),
        ("ES", "ESP", "Spain"),
        ("SJ", "SJM", "Svalbard and Jan Mayen"),
        ("SE", "SWE", "Sweden"),
        ("CH", "CHE", "Switzerland"),
        ("TR", "TUR", "Türkiye"),
        ("UA", "UKR", "Ukraine"),
        ("GB", "GBR", "United Kingdom"),
        ("US", "USA", "United States"),
        ("AX", "ALA", "Åland Islands"),
    ),
    "latin_america_caribbean": (
        ("AI", "AIA", "Anguilla"),
        ("AG", "ATG", "Antigua and Barbuda"),
        ("AR", "ARG", "Argentina"),
        ("AW", "ABW", "Aruba"),
        ("BS", "BHS", "Bahamas"),
        ("BB", "BRB", "Barbados"),
        ("BZ", "BLZ", "Belize"),
        ("BO", "BOL", "Bolivia"),
        ("BQ", "BES", "Bonaire, Sint Eustatius and Saba"),
        ("BV", "BVT", "Bouvet Island"),
        ("BR", "BRA", "Brazil"),
        ("VG", "VGB", "British Virgin Islands"),
        ("KY", "CYM", "Cayman Islands"),
        ("CL", "CHL", "Chile"),
        ("CO", "COL", "Colombia"),
        ("CR", "CRI", "Costa Rica"),
        ("CU", "CUB", "Cuba"),
        ("CW", "CUW", "Curaçao"),
        ("DM", "DMA", "Dominica"),
        ("DO", "DOM", "Dominican Republic"),
        ("EC", "ECU", "Ecuador"),
        ("SV", "SLV", "El Salvador"),
        ("FK", "FLK", "Falkland Islands (Malvinas)"),
        ("GF", "GUF", "French Guiana"),
        ("GD", "GRD", "Grenada"),
        ("GP", "GLP", "Guadeloupe"),
        ("GT", "GTM", "Guatemala"),
        ("GY", "GUY", "Guyana"),
        ("HT", "HTI", "Haiti"),
        ("HN", "HND", "Honduras"),
        ("JM", "JAM", "Jamaica"),
        ("MQ", "MTQ", "Martinique"),
        ("MX", "MEX", "Mexico"),
        ("MS", "MSR", "Montserrat"),
        ("NI", "NIC", "Nicaragua"),
        ("PA", "PAN", "Panama"),
        ("PY", "PRY", "Paraguay"),
        ("PE", "PER", "Peru"),
        ("PR", "PRI", "Puerto Rico"),
        ("BL", "BLM", "Saint Barthélemy"),
        ("KN", "KNA", "Saint Kitts and Nevis"),
        ("LC", "LCA", "Saint Lucia"),
        ("MF", "MAF", "Saint Martin (French part)"),
        ("VC", "VCT", "Saint Vincent and the Grenadines"),
        ("SX", "SXM", "Sint Maarten (Dutch part)"),
        ("GS", "SGS", "South Georgia and the South Sandwich Islands"),
        ("SR", "SUR", "Suriname"),
        ("TT", "TTO", "Trinidad and Tobago"),
        ("TC", "TCA", "Turks and Caicos Islands"),
        ("VI", "VIR", "U.S. Virgin Islands"),
        ("UY", "URY", "Uruguay"),
        ("VE", "VEN", "Venezuela"),
    ),
}

# Other spellings people actually type, mapped to the alpha-2 code.  Normalised on load.
_COUNTRY_ALIASES: dict[str, str] = {
    # ISO 3166-1 long forms of the names shortened above
    "Brunei Darussalam": "BN",
    "Bolivia, Plurinational State of": "BO",
    "Congo, The Democratic Republic of the": "CD",
    "Congo": "CG",
    "Micronesia, Federated States of": "FM",
    "Iran, Islamic Republic of": "IR",
    "Korea, Democratic People's Republic of": "KP",
    "Korea, Republic of": "KR",
    "Lao People's Democratic Republic": "LA",
    "Moldova, Republic of": "MD",
    "Palestine, State of": "PS",
    "Russian Federation": "RU",
    "Syrian Arab Republic": "SY",
    "Taiwan, Province of China": "TW",
    "Tanzania, United Republic of": "TZ",
    "Holy See (Vatican City State)": "VA",
    "Venezuela, Bolivarian Republic of": "VE",
    "Virgin Islands, British": "VG",
    "Virgin Islands, U.S.": "VI",
    "Viet Nam": "VN",
    # Common English variants and former names
    "UK": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "USA": "US",
    "US": "US",
    "United States of America": "US",
    "Ivory Coast": "CI",
    "Turkey": "TR",
    "Swaziland": "SZ",
    "Burma": "MM",
    "Czech Republic": "CZ",
    "Macedonia": "MK",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "DRC": "CD",
    "DR Congo": "CD",
    "Congo-Kinshasa": "CD",
    "Congo-Brazzaville": "CG",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Russia": "RU",
    "Vietnam": "VN",
    "Republic of Korea": "KR",
    "DPRK": "KP",
    "Democratic People's Republic of Korea": "KP",
    "Lao PDR": "LA",
    "Republic of Moldova": "MD",
    "United Republic of Tanzania": "TZ",
    "State of Palestine": "PS",
    "Occupied Palestinian Territory": "PS",
    "Gambia, The": "GM",
    "Bahamas, The": "BS",
    "Sao Tome": "ST",
    "Falkland Islands": "FK",
    "Malvinas": "FK",
    "Curacao": "CW",
    "Emirates": "AE",
    "UAE": "AE",
    "KSA": "SA",
    "Holland": "NL",
    "Bosnia": "BA",
    "Trinidad": "TT",
    "Zaire": "CD",
    "Upper Volta": "BF",
    "Dahomey": "BJ",
    "Ceylon": "LK",
    "Kampuchea": "KH",
    "Persia": "IR",
    # French / Spanish / Portuguese names that differ a lot from the English one
    "Allemagne": "DE",
    "Alemania": "DE",
    "Alemanha": "DE",
    "Royaume-Uni": "GB",
    "Reino Unido": "GB",
    "États-Unis": "US",
    "Estados Unidos": "US",
    "Espagne": "ES",
    "España": "ES",
    "Espanha": "ES",
    "Brésil": "BR",
    "Brasil": "BR",
    "Mexique": "MX",
    "México": "MX",
    "Maroc": "MA",
    "Marruecos": "MA",
    "Marrocos": "MA",
    "Tunisie": "TN",
    "Algérie": "DZ",
    "Égypte": "EG",
    "Liban": "LB",
    "Tchad": "TD",
    "Cameroun": "CM",
    "Sénégal": "SN",
    "Guinée": "GN",
    "Afrique du Sud": "ZA",
    "Sudáfrica": "ZA",
    "África do Sul": "ZA",
    "Moçambique": "MZ",
    "Guiné-Bissau": "GW",
    "Cap-Vert": "CV",
    "São Tomé e Príncipe": "ST",
    "Haïti": "HT",
    "Haití": "HT",
    "Pérou": "PE",
    "Perú": "PE",
    "Colombie": "CO",
    "Inde": "IN",
    "Chine": "CN",
    "Japon": "JP",
    "Japón": "JP",
    "Japão": "JP",
    "Suisse": "CH",
    "Suiza": "CH",
    "Suíça": "CH",
    "Belgique": "BE",
    "Bélgica": "BE",
    "Pays-Bas": "NL",
    "Países Bajos": "NL",
    "Países Baixos": "NL",
    "Irlande": "IE",
    "Grèce": "GR",
    "Suède": "SE",
    "Norvège": "NO",
    "Danemark": "DK",
    "Italie": "IT",
    "Francia": "FR",
    "França": "FR",
    "République démocratique du Congo": "CD",
    "RDC": "CD",
    "República Democrática do Congo": "CD",
    "Côte d’Ivoire": "CI",
    "Costa do Marfim": "CI",
    "Costa de Marfil": "CI",
}

# ISO 639-1 code, English name, ISO 639-2 codes (terminology first, then bibliographic).
_LANGUAGE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("aa", "Afar", "aar"),
    ("ab", "Abkhazian", "abk"),
    ("ae", "Avestan", "ave"),
    ("af", "Afrikaans", "afr"),
    ("ak", "Akan", "aka"),
    ("am", "Amharic", "amh"),
    ("an", "Aragonese", "arg"),
    ("ar", "Arabic", "ara"),
    ("as", "Assamese", "asm"),
    ("av", "Avaric", "ava"),
    ("ay", "Aymara", "aym"),
    ("az", "Azerbaijani", "aze"),
    ("ba", "Bashkir", "bak"),
    ("be", "Belarusian", "bel"),
    ("bg", "Bulgarian", "bul"),
    ("bh", "Bihari", "bih"),
    ("bi", "Bislama", "bis"),
    ("bm", "Bambara", "bam"),
    ("bn", "Bengali", "ben"),
    ("bo", "Tibetan", "bod tib"),
    ("br", "Breton", "bre"),
    ("bs", "Bosnian", "bos"),
    ("ca", "Catalan", "cat"),
    ("ce", "Chechen", "che"),
    ("ch", "Chamorro", "cha"),
    ("co", "Corsican", "cos"),
    ("cr", "Cree", "cre"),
    ("cs", "Czech", "ces cze"),
    ("cu", "Church Slavonic", "chu"),
    ("cv", "Chuvash", "chv"),
    ("cy", "Welsh", "cym wel"),
    ("da", "Danish", "dan"),
    ("de", "German", "deu ger"),
    ("dv", "Dhivehi", "div"),
    ("dz", "Dzongkha", "dzo"),
    ("ee", "Ewe", "ewe"),
    ("el", "Greek", "ell gre"),
    ("en", "English", "eng"),
    ("eo", "Esperanto", "epo"),
    ("es", "Spanish", "spa"),
    ("et", "Estonian", "est"),
    ("eu", "Basque", "eus baq"),
    ("fa", "Persian", "fas per"),
    ("ff", "Fula", "ful"),
    ("fi", "Finnish", "fin"),
    ("fj", "Fijian", "fij"),
    ("fo", "Faroese", "fao"),
    ("fr", "French", "fra fre"),
    ("fy", "Western Frisian", "fry"),
    ("ga", "Irish", "gle"),
    ("gd", "Scottish Gaelic", "gla"),
    ("gl", "Galician", "glg"),
    ("gn", "Guarani", "grn"),
    ("gu", "Gujarati", "guj"),
    ("gv", "Manx", "glv"),
    ("ha", "Hausa", "hau"),
    ("he", "Hebrew", "heb"),
    ("hi", "Hindi", "hin"),
    ("ho", "Hiri Motu", "hmo"),
    ("hr", "Croatian", "hrv"),
    ("ht", "Haitian Creole", "hat"),
    ("hu", "Hungarian", "hun"),
    ("hy", "Armenian", "hye arm"),
    ("hz", "Herero", "her"),
    ("ia", "Interlingua", "ina"),
    ("id", "Indonesian", "ind"),
    ("ie", "Interlingue", "ile"),
    ("ig", "Igbo", "ibo"),
    ("ii", "Nuosu", "iii"),
    ("ik", "Inupiaq", "ipk"),
    ("io", "Ido", "ido"),
    ("is", "Icelandic", "isl ice"),
    ("it", "Italian", "ita"),
    ("iu", "Inuktitut", "iku"),
    ("ja", "Japanese", "jpn"),
    ("jv", "Javanese", "jav"),
    ("ka", "Georgian", "kat geo"),
    ("kg", "Kongo", "kon"),
    ("ki", "Kikuyu", "kik"),
    ("kj", "Kwanyama", "kua"),
    ("kk", "Kazakh", "kaz"),
    ("kl", "Greenlandic", "kal"),
    ("km", "Khmer", "khm"),
    ("kn", "Kannada", "kan"),
    ("ko", "Korean", "kor"),
    ("kr", "Kanuri", "kau"),
    ("ks", "Kashmiri", "kas"),
    ("ku", "Kurdish", "kur"),
    ("kv", "Komi", "kom"),
    ("kw", "Cornish", "cor"),
    ("ky", "Kyrgyz", "kir"),
    ("la", "Latin", "lat"),
    ("lb", "Luxembourgish", "ltz"),
    ("lg", "Ganda", "lug"),
    ("li", "Limburgish", "lim"),
    ("ln", "Lingala", "lin"),
    ("lo", "Lao", "lao"),
    ("lt", "Lithuanian", "lit"),
    ("lu", "Luba-Katanga", "lub"),
    ("lv", "Latvian", "lav"),
    ("mg", "Malagasy", "mlg"),
    ("mh", "Marshallese", "mah"),
    ("mi", "Maori", "mri mao"),
    ("mk", "Macedonian", "mkd mac"),
    ("ml", "Malayalam", "mal"),
    ("mn", "Mongolian", "mon"),
    ("mr", "Marathi", "mar"),
    ("ms", "Malay", "msa may"),
    ("mt", "Maltese", "mlt"),
    ("my", "Burmese", "mya bur"),
    ("na", "Nauruan", "nau"),
    ("nb", "Norwegian Bokmål", "nob"),
    ("nd", "North Ndebele", "nde"),
    ("ne", "Nepali", "nep"),
    ("ng", "Ndonga", "ndo"),
    ("nl", "Dutch", "nld dut"),
    ("nn", "Norwegian Nynorsk", "nno"),
    ("no", "Norwegian", "nor"),
    ("nr", "South Ndebele", "nbl"),
    ("nv", "Navajo", "nav"),
    ("ny", "Chichewa", "nya"),
    ("oc", "Occitan", "oci"),
    ("oj", "Ojibwa", "oji"),
    ("om", "Oromo", "orm"),
    ("or", "Odia", "ori"),
    ("os", "Ossetian", "oss"),
    ("pa", "Punjabi", "pan"),
    ("pi", "Pali", "pli"),
    ("pl", "Polish", "pol"),
    ("ps", "Pashto", "pus"),
    ("pt", "Portuguese", "por"),
    ("qu", "Quechua", "que"),
    ("rm", "Romansh", "roh"),
    ("rn", "Kirundi", "run"),
    ("ro", "Romanian", "ron rum"),
    ("ru", "Russian", "rus"),
    ("rw", "Kinyarwanda", "kin"),
    ("sa", "Sanskrit", "san"),
    ("sc", "Sardinian", "srd"),
    ("sd", "Sindhi", "snd"),
    ("se", "Northern Sami", "sme"),
    ("sg", "Sango", "sag"),
    ("si", "Sinhala", "sin"),
    ("sk", "Slovak", "slk slo"),
    ("sl", "Slovenian", "slv"),
    ("sm", "Samoan", "smo"),
    ("sn", "Shona", "sna"),
    ("so", "Somali", "som"),
    ("sq", "Albanian", "sqi alb"),
    ("sr", "Serbian", "srp"),
    ("ss", "Swati", "ssw"),
    ("st", "Southern Sotho", "sot"),
    ("su", "Sundanese", "sun"),
    ("sv", "Swedish", "swe"),
    ("sw", "Swahili", "swa"),
    ("ta", "Tamil", "tam"),
    ("te", "Telugu", "tel"),
    ("tg", "Tajik", "tgk"),
    ("th", "Thai", "tha"),
    ("ti", "Tigrinya", "tir"),
    ("tk", "Turkmen", "tuk"),
    ("tl", "Tagalog", "tgl"),
    ("tn", "Tswana", "tsn"),
    ("to", "Tongan", "ton"),
    ("tr", "Turkish", "tur"),
    ("ts", "Tsonga", "tso"),
    ("tt", "Tatar", "tat"),
    ("tw", "Twi", "twi"),
    ("ty", "Tahitian", "tah"),
    ("ug", "Uyghur", "uig"),
    ("uk", "Ukrainian", "ukr"),
    ("ur", "Urdu", "urd"),
    ("uz", "Uzbek", "uzb"),
    ("ve", "Venda", "ven"),
    ("vi", "Vietnamese", "vie"),
    ("vo", "Volapük", "vol"),
    ("wa", "Walloon", "wln"),
    ("wo", "Wolof", "wol"),
    ("xh", "Xhosa", "xho"),
    ("yi", "Yiddish", "yid"),
    ("yo", "Yoruba", "yor"),
    ("za", "Zhuang", "zha"),
    ("zh", "Chinese", "zho chi"),
    ("zu", "Zulu", "zul"),
)

# Other names and endonyms, mapped to the ISO 639-1 code.  Normalised on load.
_LANGUAGE_ALIASES: dict[str, str] = {
    "Bihari languages": "bh",
    "Bangla": "bn",
    "Valencian": "ca",
    "Church Slavic": "cu",
    "Old Church Slavonic": "cu",
    "Divehi": "dv",
    "Maldivian": "dv",
    "Castilian": "es",
    "Castellano": "es",
    "Español": "es",
    "Espagnol": "es",
    "Espanhol": "es",
    "Fulah": "ff",
    "Fulfulde": "ff",
    "Peul": "ff",
    "Pulaar": "ff",
    "Français": "fr",
    "Francés": "fr",
    "Francês": "fr",
    "Gaelic": "gd",
    "Haitian": "ht",
    "Kreyòl": "ht",
    "Kreyol ayisyen": "ht",
    "Créole haïtien": "ht",
    "Occidental": "ie",
    "Sichuan Yi": "ii",
    "Gikuyu": "ki",
    "Kuanyama": "kj",
    "Kalaallisut": "kl",
    "Central Khmer": "km",
    "Cambodian": "km",
    "Kirghiz": "ky",
    "Letzeburgesch": "lb",
    "Luganda": "lg",
    "Limburgan": "li",
    "Limburger": "li",
    "Nauru": "na",
    "Flemish": "nl",
    "Navaho": "nv",
    "Chewa": "ny",
    "Nyanja": "ny",
    "Provençal": "oc",
    "Oriya": "or",
    "Afaan Oromoo": "om",
    "Ossetic": "os",
    "Panjabi": "pa",
    "Pushto": "ps",
    "Português": "pt",
    "Portugais": "pt",
    "Portugués": "pt",
    "Rundi": "rn",
    "Moldavian": "ro",
    "Moldovan": "ro",
    "Sinhalese": "si",
    "Sesotho": "st",
    "Siswati": "ss",
    "Kiswahili": "sw",
    "Filipino": "tl",
    "Tigrigna": "ti",
    "Setswana": "tn",
    "Uighur": "ug",
    "Chuang": "za",
    "Mandarin": "zh",
    "Cantonese": "zh",
    "Farsi": "fa",
    "Dari": "fa",
    "Anglais": "en",
    "Inglés": "en",
    "Inglês": "en",
    "Arabe": "ar",
    "Árabe": "ar",
    "العربية": "ar",
    "Deutsch": "de",
    "Allemand": "de",
    "Isizulu": "zu",
    "Isixhosa": "xh",
    "Ikinyarwanda": "rw",
    "Malgache": "mg",
    "Amharique": "am",
}


def _norm(text: str) -> str:
    """Fold case and accents, turn punctuation into spaces, expand "St"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", text).split()
    words = ["saint" if w == "st" else w for w in words]
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _build_countries() -> dict[str, Country]:
    table: dict[str, Country] = {}
    for region, rows in _COUNTRY_ROWS.items():
        for code, _alpha3, name in rows:
            if region == "asia_pacific":
                south = code not in _ASIA_PACIFIC_NORTH
            else:
                south = region in _SOUTH_REGIONS
            table[code] = Country(code=code, name=name, region=region, global_south=south)
    return dict(sorted(table.items()))


COUNTRIES: Mapping[str, Country] = MappingProxyType(_build_countries())

LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType({c: n for c, n, _ in _LANGUAGE_ROWS})

_COUNTRY_ALPHA3: dict[str, str] = {a3: a2 for rows in _COUNTRY_ROWS.values() for a2, a3, _ in rows}
_COUNTRY_BY_NAME: dict[str, str] = {
    **{_norm(k): v for k, v in _COUNTRY_ALIASES.items()},
    **{_norm(c.name): c.code for c in COUNTRIES.values()},
}
_LANGUAGE_ALPHA3: dict[str, str] = {
    a3: code for code, _, codes in _LANGUAGE_ROWS for a3 in codes.split()
}
_LANGUAGE_BY_NAME: dict[str, str] = {
    **{_norm(k): v for k, v in _LANGUAGE_ALIASES.items()},
    **{_norm(n): c for c, n in LANGUAGE_NAMES.items()},
}
_NAME_CUTOFF = 0.75


def _closest(query: str, index: Mapping[str, str]) -> str | None:
    hit = index.get(query)
    if hit is not None:
        return hit
    # A unique leading-words match: "saint kitts" -> "saint kitts and nevis".
    starts = {code for name, code in index.items() if name.startswith(query + " ")}
    if len(starts) == 1:
        return starts.pop()
    close = difflib.get_close_matches(query, list(index), n=1, cutoff=_NAME_CUTOFF)
    return index[close[0]] if close else None


def country(code: str) -> Country | None:
    """Look up a country by ISO 3166-1 alpha-2 code, case-insensitively.

    >>> country("ke").region
    'africa'
    >>> country("XX") is None
    True
    """
    if not isinstance(code, str):
        return None
    return COUNTRIES.get(code.strip().upper())


def is_language(code: str) -> bool:
    """True if ``code`` is an ISO 639-1 two-letter language code (case-insensitive).

    >>> is_language("SW"), is_language("eng")
    (True, False)
    """
    return isinstance(code, str) and code.strip().lower() in LANGUAGE_NAMES


def suggest_country(code: str) -> str | None:
    """Best-guess ISO alpha-2 code for a code, alpha-3 code or (misspelt) country name.

    >>> suggest_country("Kenya"), suggest_country("KEN"), suggest_country("Tanzanie")
    ('KE', 'KE', 'TZ')
    >>> suggest_country("Atlantis") is None
    True
    """
    if not isinstance(code, str) or not code.strip():
        return None
    raw = code.strip()
    upper = raw.upper()
    if len(raw) == 2 and upper in COUNTRIES:
        return upper
    if len(raw) == 3 and upper in _COUNTRY_ALPHA3:
        return _COUNTRY_ALPHA3[upper]
    query = _norm(raw)
    if not query:
        return None
    return _closest(query, _COUNTRY_BY_NAME)


def suggest_language(code: str) -> str | None:
    """Best-guess ISO 639-1 code for a code, ISO 639-2 code, locale tag or language name.

    >>> suggest_language("english"), suggest_language("eng"), suggest_language("pt-BR")
    ('en', 'en', 'pt')
    >>> suggest_language("Klingonese") is None
    True
    """
    if not isinstance(code, str) or not code.strip():
        return None
    raw = code.strip()
    lower = raw.lower()
    if lower in LANGUAGE_NAMES:
        return lower
    if lower in _LANGUAGE_ALPHA3:
        return _LANGUAGE_ALPHA3[lower]
    primary = re.split(r"[-_]", lower, maxsplit=1)[0]
    if primary != lower:  # a locale tag such as "pt-BR", "fr_CA" or "ara-EG"
        if primary in LANGUAGE_NAMES:
            return primary
        if primary in _LANGUAGE_ALPHA3:
            return _LANGUAGE_ALPHA3[primary]
    query = _norm(raw)
    if not query:
        return None
    return _closest(query, _LANGUAGE_BY_NAME)

"""The peermatch theme taxonomy: what members work on and what they can share.

Every member profile, request and offer is tagged with theme keys from this taxonomy. The
themes fall into three families:

* ``sdg4_target`` -- the ten targets of Sustainable Development Goal 4 (4.1-4.7, 4.a-4.c);
* ``policy`` -- the policy issues coalitions campaign on (financing, tax justice,
  privatisation, gender, emergencies, ...);
* ``advocacy_capacity`` -- the skills and practices members can teach or want to learn
  (budget tracking, media work, UN human rights mechanisms, MEL, ...).

Each theme has a label in the network's five working languages (en, fr, es, pt, ar).
Arabic SDG target labels number targets the UN Arabic way ("4-1", "4-أ").

Keys are stable identifiers stored in member data: a key is never renamed or removed.
A new taxonomy version may only add keys (and polish labels); ``TAXONOMY_VERSION`` names
the version in force.

Pure data, stdlib only, no I/O.
"""

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

__all__ = [
    "FAMILIES",
    "LABEL_LANGUAGES",
    "TAXONOMY_VERSION",
    "Taxonomy",
    "Theme",
    "default_taxonomy",
]

LABEL_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt", "ar")
TAXONOMY_VERSION = "2026.1"
FAMILIES: tuple[str, ...] = ("sdg4_target", "policy", "advocacy_capacity")

_FAMILY_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "sdg4_target": MappingProxyType(
            {
                "en": "SDG 4 targets",
                "fr": "Cibles de l'ODD 4",
                "es": "Metas del ODS 4",
                "pt": "Metas do ODS 4",
                "ar": "غايات الهدف 4 من أهداف التنمية المستدامة",
            }
        ),
        "policy": MappingProxyType(
            {
                "en": "Policy issues",
                "fr": "Enjeux de politique éducative",
                "es": "Temas de política educativa",
                "pt": "Temas de política educacional",
                "ar": "قضايا السياسات التعليمية",
            }
        ),
        "advocacy_capacity": MappingProxyType(
            {
                "en": "Advocacy capacities",
                "fr": "Capacités de plaidoyer",
                "es": "Capacidades de incidencia",
                "pt": "Capacidades de incidência política",
                "ar": "قدرات المناصرة",
            }
        ),
    }
)

# (key, family, en, fr, es, pt, ar) -- in taxonomy order.  Never rename a key.
_THEME_ROWS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    # --- SDG 4 targets -------------------------------------------------------------------
    (
        "early_childhood",
        "sdg4_target",
        "4.2 Early childhood care and education",
        "4.2 Protection et éducation de la petite enfance",
        "4.2 Atención y educación de la primera infancia",
        "4.2 Cuidados e educação na primeira infância",
        "4-2 الرعاية والتربية في مرحلة الطفولة المبكرة",
    ),
    (
        "primary_secondary",
        "sdg4_target",
        "4.1 Primary and secondary education",
        "4.1 Enseignement primaire et secondaire",
        "4.1 Educación primaria y secundaria",
        "4.1 Educação primária e secundária",
        "4-1 التعليم الابتدائي والثانوي",
    ),
    (
        "tvet_higher_education",
        "sdg4_target",
        "4.3 Technical, vocational and higher education",
        "4.3 Enseignement technique, professionnel et supérieur",
        "4.3 Educación técnica, profesional y superior",
        "4.3 Educação técnica, profissional e superior",
        "4-3 التعليم التقني والمهني والتعليم العالي",
    ),
    (
        "skills_for_work",
        "sdg4_target",
        "4.4 Skills for decent work",
        "4.4 Compétences pour l'emploi et le travail décent",
        "4.4 Competencias para el trabajo decente",
        "4.4 Competências para o trabalho decente",
        "4-4 المهارات اللازمة للعمل اللائق",
    ),
    (
        "equity_inclusion",
        "sdg4_target",
        "4.5 Equity and inclusion",
        "4.5 Équité et inclusion",
        "4.5 Equidad e inclusión",
        "4.5 Equidade e inclusão",
        "4-5 الإنصاف والإدماج",
    ),
    (
        "youth_adult_literacy",
        "sdg4_target",
        "4.6 Youth and adult literacy",
        "4.6 Alphabétisation des jeunes et des adultes",
        "4.6 Alfabetización de jóvenes y personas adultas",
        "4.6 Alfabetização de jovens e adultos",
        "4-6 محو أمية الشباب والكبار",
    ),
    (
        "global_citizenship",
        "sdg4_target",
        "4.7 Education for sustainable development and global citizenship",
        "4.7 Éducation au développement durable et à la citoyenneté mondiale",
        "4.7 Educación para el desarrollo sostenible y la ciudadanía mundial",
        "4.7 Educação para o desenvolvimento sustentável e a cidadania global",
        "4-7 التعليم من أجل التنمية المستدامة والمواطنة العالمية",
    ),
    (
        "school_environments",
        "sdg4_target",
        "4.a Safe and inclusive school environments",
        "4.a Environnements scolaires sûrs et inclusifs",
        "4.a Entornos escolares seguros e inclusivos",
        "4.a Ambientes escolares seguros e inclusivos",
        "4-أ بيئات مدرسية آمنة وشاملة للجميع",
    ),
    (
        "scholarships",
        "sdg4_target",
        "4.b Scholarships",
        "4.b Bourses d'études",
        "4.b Becas",
        "4.b Bolsas de estudo",
        "4-ب المنح الدراسية",
    ),
    (
        "teachers",
        "sdg4_target",
        "4.c Teachers",
        "4.c Personnel enseignant",
        "4.c Docentes",
        "4.c Professores e professoras",
        "4-ج المعلمون والمعلمات",
    ),
    # --- Policy issues -------------------------------------------------------------------
    (
        "education_financing",
        "policy",
        "Education financing",
        "Financement de l'éducation",
        "Financiamiento de la educación",
        "Financiamento da educação",
        "تمويل التعليم",
    ),
    (
        "tax_justice",
        "policy",
        "Tax justice",
        "Justice fiscale",
        "Justicia fiscal",
        "Justiça fiscal",
        "العدالة الضريبية",
    ),
    (
        "debt_austerity",
        "policy",
        "Debt and austerity",
        "Dette et austérité",
        "Deuda y austeridad",
        "Dívida e austeridade",
        "الديون والتقشف",
    ),
    (
        "privatisation_commercialisation",
        "policy",
        "Privatisation and commercialisation of education",
        "Privatisation et marchandisation de l'éducation",
        "Privatización y mercantilización de la educación",
        "Privatização e mercantilização da educação",
        "خصخصة التعليم وتسليعه",
    ),
    (
        "gender_equality",
        "policy",
        "Gender equality in education",
        "Égalité de genre dans l'éducation",
        "Igualdad de género en la educación",
        "Igualdade de gênero na educação",
        "المساواة بين الجنسين في التعليم",
    ),
    (
        "disability_inclusion",
        "policy",
        "Disability inclusion",
        "Inclusion des personnes en situation de handicap",
        "Inclusión de las personas con discapacidad",
        "Inclusão das pessoas com deficiência",
        "إدماج الأشخاص ذوي الإعاقة",
    ),
    (
        "education_in_emergencies",
        "policy",
        "Education in emergencies and protracted crises",
        "Éducation en situation d'urgence et de crise prolongée",
        "Educación en situaciones de emergencia y crisis prolongadas",
        "Educação em situações de emergência e crises prolongadas",
        "التعليم في حالات الطوارئ والأزمات الممتدة",
    ),
    (
        "refugee_migrant_education",
        "policy",
        "Education of refugees and migrants",
        "Éducation des personnes réfugiées et migrantes",
        "Educación de personas refugiadas y migrantes",
        "Educação de pessoas refugiadas e migrantes",
        "تعليم اللاجئين والمهاجرين",
    ),
    (
        "climate_education",
        "policy",
        "Climate change education",
        "Éducation au changement climatique",
        "Educación sobre el cambio climático",
        "Educação sobre as mudanças climáticas",
        "التعليم المتعلق بتغير المناخ",
    ),
    (
        "digital_education",
        "policy",
        "Digital education and EdTech",
        "Éducation numérique et technologies éducatives",
        "Educación digital y tecnologías educativas",
        "Educação digital e tecnologias educacionais",
        "التعليم الرقمي وتكنولوجيا التعليم",
    ),
    (
        "right_to_education_law",
        "policy",
        "The right to education in law",
        "Le droit à l'éducation dans la législation",
        "El derecho a la educación en la legislación",
        "O direito à educação na legislação",
        "الحق في التعليم في التشريعات",
    ),
    (
        "youth_participation",
        "policy",
        "Youth and student participation",
        "Participation des jeunes et des élèves",
        "Participación juvenil y estudiantil",
        "Participação juvenil e estudantil",
        "مشاركة الشباب والطلاب",
    ),
    (
        "mother_tongue_education",
        "policy",
        "Mother-tongue and multilingual education",
        "Éducation en langue maternelle et éducation multilingue",
        "Educación en lengua materna y educación multilingüe",
        "Educação na língua materna e educação multilíngue",
        "التعليم باللغة الأم والتعليم متعدد اللغات",
    ),
    # --- Advocacy capacities -------------------------------------------------------------
    (
        "policy_research",
        "advocacy_capacity",
        "Policy research and analysis",
        "Recherche et analyse des politiques",
        "Investigación y análisis de políticas",
        "Pesquisa e análise de políticas",
        "البحوث وتحليل السياسات",
    ),
    (
        "budget_tracking",
        "advocacy_capacity",
        "Education budget tracking",
        "Suivi budgétaire de l'éducation",
        "Seguimiento del presupuesto educativo",
        "Monitoramento do orçamento da educação",
        "رصد ميزانية التعليم",
    ),
    (
        "digital_advocacy",
        "advocacy_capacity",
        "Digital and social media advocacy",
        "Plaidoyer numérique et sur les réseaux sociaux",
        "Incidencia digital y en redes sociales",
        "Incidência digital e nas redes sociais",
        "المناصرة الرقمية وعبر وسائل التواصل الاجتماعي",
    ),
    (
        "media_engagement",
        "advocacy_capacity",
        "Media engagement",
        "Relations avec les médias",
        "Trabajo con medios de comunicación",
        "Relacionamento com a imprensa",
        "التواصل مع وسائل الإعلام",
    ),
    (
        "campaigning_mobilisation",
        "advocacy_capacity",
        "Campaigning and public mobilisation",
        "Campagnes et mobilisation citoyenne",
        "Campañas y movilización social",
        "Campanhas e mobilização social",
        "تنظيم الحملات والتعبئة الجماهيرية",
    ),
    (
        "coalition_governance",
        "advocacy_capacity",
        "Coalition governance and membership",
        "Gouvernance de la coalition et vie associative",
        "Gobernanza de la coalición y relación con la membresía",
        "Governança da coalizão e relação com os membros",
        "حوكمة الائتلاف وشؤون الأعضاء",
    ),
    (
        "fundraising",
        "advocacy_capacity",
        "Fundraising and resource mobilisation",
        "Collecte de fonds et mobilisation de ressources",
        "Recaudación de fondos y movilización de recursos",
        "Captação e mobilização de recursos",
        "جمع التبرعات وحشد الموارد",
    ),
    (
        "sdg4_monitoring",
        "advocacy_capacity",
        "SDG 4 monitoring and reporting",
        "Suivi de l'ODD 4 et production de rapports",
        "Monitoreo del ODS 4 y elaboración de informes",
        "Monitoramento do ODS 4 e elaboração de relatórios",
        "رصد الهدف 4 من أهداف التنمية المستدامة وإعداد التقارير",
    ),
    (
        "legal_action",
        "advocacy_capacity",
        "Strategic litigation and legal action",
        "Contentieux stratégique et recours en justice",
        "Litigio estratégico y acciones legales",
        "Litígio estratégico e ações judiciais",
        "التقاضي الاستراتيجي والإجراءات القانونية",
    ),
    (
        "human_rights_mechanisms",
        "advocacy_capacity",
        "UN human rights mechanisms (treaty bodies, UPR)",
        "Mécanismes onusiens des droits humains (organes de traités, EPU)",
        "Mecanismos de derechos humanos de la ONU (órganos de tratados, EPU)",
        "Mecanismos de direitos humanos da ONU (órgãos de tratados, RPU)",
        "آليات الأمم المتحدة لحقوق الإنسان (هيئات المعاهدات، الاستعراض الدوري الشامل)",
    ),
    (
        "parliamentary_engagement",
        "advocacy_capacity",
        "Parliamentary engagement",
        "Plaidoyer auprès des parlementaires",
        "Incidencia parlamentaria",
        "Incidência parlamentar",
        "المناصرة لدى البرلمانيين",
    ),
    (
        "local_education_groups",
        "advocacy_capacity",
        "Local education groups (LEGs) and education sector dialogue",
        "Groupes locaux des partenaires de l'éducation (GLPE) et dialogue sectoriel",
        "Grupos locales de educación (GLE) y diálogo sectorial",
        "Grupos locais de educação e diálogo setorial",
        "مجموعات التعليم المحلية والحوار القطاعي في التعليم",
    ),
    (
        "donor_engagement",
        "advocacy_capacity",
        "Donor engagement",
        "Dialogue avec les bailleurs de fonds",
        "Relación con donantes",
        "Relacionamento com doadores",
        "التواصل مع الجهات المانحة",
    ),
    (
        "mel",
        "advocacy_capacity",
        "Monitoring, evaluation and learning (MEL)",
        "Suivi, évaluation et apprentissage",
        "Monitoreo, evaluación y aprendizaje",
        "Monitoramento, avaliação e aprendizagem",
        "الرصد والتقييم والتعلم",
    ),
    (
        "knowledge_sharing",
        "advocacy_capacity",
        "Knowledge sharing and peer learning",
        "Partage de connaissances et apprentissage entre pairs",
        "Intercambio de conocimientos y aprendizaje entre pares",
        "Troca de conhecimentos e aprendizagem entre pares",
        "تبادل المعارف والتعلم بين الأقران",
    ),
)


def _check_lang(lang: str) -> str:
    if lang not in LABEL_LANGUAGES:
        raise ValueError(
            f"unsupported label language {lang!r}; supported: {', '.join(LABEL_LANGUAGES)}"
        )
    return lang


def _norm(text: str) -> str:
    """Fold case and accents; spaces, hyphens and punctuation all become "_"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\W_]+", "_", text).strip("_")


_TARGET_PREFIX = re.compile(r"^4[.\-]\S+\s+")


@dataclass(frozen=True)
class Theme:
    """One theme: a stable ``key``, its ``family`` and ``labels`` by language.

    >>> default_taxonomy()["tax_justice"].label("fr")
    'Justice fiscale'
    """

    key: str
    family: str
    labels: Mapping[str, str] = field(hash=False)

    def label(self, lang: str = "en") -> str:
        """Label in ``lang`` (one of ``LABEL_LANGUAGES``).

        >>> default_taxonomy()["teachers"].label("es")
        '4.c Docentes'
        """
        return self.labels[_check_lang(lang)]


@dataclass(frozen=True)
class Taxonomy:
    """An ordered, versioned set of themes.

    >>> tax = default_taxonomy()
    >>> len(tax), tax.version, tax.keys[0]
    (38, '2026.1', 'early_childhood')
    """

    version: str
    themes: tuple[Theme, ...]
    _by_key: Mapping[str, int] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _lookup: Mapping[str, str] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        themes = tuple(self.themes)
        object.__setattr__(self, "themes", themes)
        by_key: dict[str, int] = {}
        for i, theme in enumerate(themes):
            if theme.key in by_key:
                raise ValueError(f"duplicate theme key {theme.key!r}")
            if theme.family not in _FAMILY_LABELS:
                raise ValueError(f"theme {theme.key!r} has unknown family {theme.family!r}")
            missing = [lang for lang in LABEL_LANGUAGES if not theme.labels.get(lang)]
            if missing:
                raise ValueError(f"theme {theme.key!r} lacks labels for {', '.join(missing)}")
            by_key[theme.key] = i
        # Normalised key / label -> key, for suggest(). Keys win over labels.
        lookup: dict[str, str] = {}
        for theme in themes:
            for lang in LABEL_LANGUAGES:
                text = theme.labels[lang]
                lookup.setdefault(_norm(text), theme.key)
                bare = _TARGET_PREFIX.sub("", text)  # "4.2 Early childhood ..." -> "Early ..."
                lookup.setdefault(_norm(bare), theme.key)
        lookup.update({_norm(t.key): t.key for t in themes})
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))
        object.__setattr__(self, "_lookup", MappingProxyType(lookup))

    @property
    def keys(self) -> tuple[str, ...]:
        """Theme keys in taxonomy order.

        >>> default_taxonomy().keys[-1]
        'knowledge_sharing'
        """
        return tuple(t.key for t in self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._by_key

    def __getitem__(self, key: str) -> Theme:
        return self.themes[self.index(key)]

    def index(self, key: str) -> int:
        """Position of ``key`` in :attr:`keys`; ``KeyError`` if unknown.

        >>> default_taxonomy().index("primary_secondary")
        1
        """
        try:
            return self._by_key[key]
        except (KeyError, TypeError):
            hint = self.suggest(key) if isinstance(key, str) else None
            extra = f"; did you mean {hint!r}?" if hint else ""
            raise KeyError(f"unknown theme key {key!r}{extra}") from None

    def label(self, key: str, lang: str = "en") -> str:
        """Label of theme ``key`` in ``lang``.

        >>> default_taxonomy().label("budget_tracking", "pt")
        'Monitoramento do orçamento da educação'
        """
        _check_lang(lang)
        return self[key].label(lang)

    def family_label(self, family: str, lang: str = "en") -> str:
        """Label of a theme family in ``lang``; ``KeyError`` for an unknown family.

        >>> default_taxonomy().family_label("advocacy_capacity", "es")
        'Capacidades de incidencia'
        """
        _check_lang(lang)
        try:
            return _FAMILY_LABELS[family][lang]
        except KeyError:
            raise KeyError(
                f"unknown theme family {family!r}; known: {', '.join(FAMILIES)}"
            ) from None

    def suggest(self, key: str) -> str | None:
        """Closest known key for a misspelt key or a label in any language, else ``None``.

        Matching ignores case, accents, spaces, hyphens and punctuation. Tried in turn: an
        exact key or label; words found in one theme only ("UPR"); a close misspelling of
        a whole key or label; a close misspelling of the start of one ("privatization").
        Anything ambiguous ("education") gives ``None``.

        >>> tax = default_taxonomy()
        >>> tax.suggest("budget_traking"), tax.suggest("Justice fiscale")
        ('budget_tracking', 'tax_justice')
        >>> tax.suggest("underwater basket weaving") is None
        True
        """
        if not isinstance(key, str):
            return None
        query = _norm(key)
        if not query:
            return None
        hit = self._lookup.get(query)
        if hit is not None:
            return hit
        # 1. whole words inside one theme's key or labels: "UPR", "EdTech", "gender".
        if len(query) >= 3:
            inside = {k for text, k in self._lookup.items() if f"_{query}_" in f"_{text}_"}
            if len(inside) == 1:
                return inside.pop()
        # 2. a misspelling of a whole key or label: "budget_traking".
        close = difflib.get_close_matches(query, list(self._lookup), n=1, cutoff=0.75)
        if close:
            return self._lookup[close[0]]
        # 3. a (misspelt) beginning of one theme's key or label: "privatization".
        if len(query) >= 4:
            best, found = 0.0, set()
            for text, k in self._lookup.items():
                if len(text) > len(query):
                    score = difflib.SequenceMatcher(None, query, text[: len(query)]).ratio()
                    if score > best:
                        best, found = score, {k}
                    elif score == best:
                        found.add(k)
            if best >= 0.85 and len(found) == 1:
                return found.pop()
        return None

    def to_dict(self) -> dict:
        """Plain, JSON-ready form, themes in key order.

        >>> d = default_taxonomy().to_dict()
        >>> d["version"], d["themes"][0]["key"], sorted(d["themes"][0]["labels"])
        ('2026.1', 'early_childhood', ['ar', 'en', 'es', 'fr', 'pt'])
        """
        return {
            "version": self.version,
            "themes": [
                {
                    "key": t.key,
                    "family": t.family,
                    "labels": {lang: t.labels[lang] for lang in LABEL_LANGUAGES},
                }
                for t in self.themes
            ],
        }


@cache
def default_taxonomy() -> Taxonomy:
    """The built-in taxonomy, version ``TAXONOMY_VERSION`` (built once, then shared).

    >>> default_taxonomy() is default_taxonomy()
    True
    """
    themes = tuple(
        Theme(
            key=key,
            family=family,
            labels=MappingProxyType(dict(zip(LABEL_LANGUAGES, labels, strict=True))),
        )
        for key, family, *labels in _THEME_ROWS
    )
    return Taxonomy(version=TAXONOMY_VERSION, themes=themes)

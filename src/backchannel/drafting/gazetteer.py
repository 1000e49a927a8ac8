"""Who a name stands for: states, their capitals, seats of government and
demonyms, and international organisations.

News reports name a party in many ways: "the United States", "the US",
"Washington", "the White House", "American officials" all speak for the
United States. The table below maps each of these to one party. It is a
plain table, written for this purpose; extend it freely (one line a party:
``name | kind | aliases separated by ;``). Demonyms are matched as words
("Russian officials" → Russia); the other aliases as phrases. Matching is
case-sensitive for short all-capital aliases (US, UN, EU) and for words
that are also common English words ("Turkey", "Chad", "Jordan", "Georgia").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["Entry", "entries", "lookup", "matcher"]

# name | kind | aliases (capital, seats of government, abbreviations, demonyms)
_TABLE = """
United States | state | United States of America; United States; U.S.A.; USA; U.S.; US; America
    ; Washington; White House; Pentagon; State Department; Foggy Bottom; Capitol Hill; Congress; American
    ; Americans
Russia | state | Russian Federation; Russia; Moscow; Kremlin; Russian; Russians
Ukraine | state | Ukraine; Kyiv; Kiev; Bankova; Ukrainian; Ukrainians
Europe | group | European Union; EU; E.U.; Brussels; European Commission; European Council; Europe
    ; European; Europeans
NATO | organisation | NATO; North Atlantic Treaty Organization; North Atlantic Treaty Organisation
    ; Atlantic alliance; transatlantic alliance; NATO allies
United Nations | organisation | United Nations; UN; U.N.; UN Security Council; Security Council
African Union | organisation | African Union; AU
ASEAN | organisation | ASEAN; Association of Southeast Asian Nations
Arab League | organisation | Arab League
OSCE | organisation | OSCE; Organization for Security and Co-operation in Europe
G7 | organisation | G7; Group of Seven
United Kingdom | state | United Kingdom; UK; U.K.; Britain; Great Britain; London; Downing Street
    ; Whitehall; British; Briton; Britons
France | state | France; Paris; Elysée; Élysée; Élysée Palace; Quai d'Orsay; French
Germany | state | Germany; Berlin; German; Germans
Italy | state | Italy; Rome; Italian; Italians
Spain | state | Spain; Madrid; Spanish
Poland | state | Poland; Warsaw; Polish; Poles
Hungary | state | Hungary; Budapest; Hungarian
Romania | state | Romania; Bucharest; Romanian
Moldova | state | Moldova; Chisinau; Moldovan
Belarus | state | Belarus; Minsk; Belarusian
Baltic states | group | Baltic states; Baltics
Estonia | state | Estonia; Tallinn; Estonian
Latvia | state | Latvia; Riga; Latvian
Lithuania | state | Lithuania; Vilnius; Lithuanian
Finland | state | Finland; Helsinki; Finnish
Sweden | state | Sweden; Stockholm; Swedish
Norway | state | Norway; Oslo; Norwegian
Denmark | state | Denmark; Copenhagen; Danish
Netherlands | state | Netherlands; The Hague; Amsterdam; Dutch
Belgium | state | Belgium; Belgian
Switzerland | state | Switzerland; Bern; Swiss
Austria | state | Austria; Vienna; Austrian
Greece | state | Greece; Athens; Greek
Turkey | state | Turkey; Türkiye; Ankara; Turkish; Turks
Serbia | state | Serbia; Belgrade; Serbian; Serbs
Kosovo | state | Kosovo; Pristina; Kosovar
Georgia | state | Georgia; Tbilisi; Georgian
Armenia | state | Armenia; Yerevan; Armenian; Armenians
Azerbaijan | state | Azerbaijan; Baku; Azerbaijani; Azeri
China | state | People's Republic of China; China; Beijing; Zhongnanhai; Chinese
Taiwan | state | Taiwan; Taipei; Taiwanese
Japan | state | Japan; Tokyo; Japanese
South Korea | state | South Korea; Republic of Korea; Seoul; South Korean; South Koreans
North Korea | state | North Korea; Pyongyang; North Korean; North Koreans
India | state | India; New Delhi; Delhi; Indian; Indians
Pakistan | state | Pakistan; Islamabad; Pakistani; Pakistanis
Afghanistan | state | Afghanistan; Kabul; Afghan; Afghans
Iran | state | Iran; Tehran; Iranian; Iranians
Iraq | state | Iraq; Baghdad; Iraqi; Iraqis
Syria | state | Syria; Damascus; Syrian; Syrians
Israel | state | Israel; Jerusalem; Israeli; Israelis
Palestinian Authority | state | Palestinian Authority; Ramallah; Palestine; Palestinian; Palestinians
Lebanon | state | Lebanon; Beirut; Lebanese
Jordan | state | Jordan; Amman; Jordanian
Saudi Arabia | state | Saudi Arabia; Riyadh; Saudi; Saudis
United Arab Emirates | state | United Arab Emirates; UAE; U.A.E.; Abu Dhabi; Emirati; Emiratis
Qatar | state | Qatar; Doha; Qatari
Oman | state | Oman; Muscat; Omani
Yemen | state | Yemen; Sanaa; Yemeni; Yemenis
Egypt | state | Egypt; Cairo; Egyptian; Egyptians
Libya | state | Libya; Tripoli; Libyan; Libyans
Sudan | state | Sudan; Khartoum; Port Sudan; Sudanese
South Sudan | state | South Sudan; Juba; South Sudanese
Ethiopia | state | Ethiopia; Addis Ababa; Ethiopian; Ethiopians
Eritrea | state | Eritrea; Asmara; Eritrean
Somalia | state | Somalia; Mogadishu; Somali
Kenya | state | Kenya; Nairobi; Kenyan
Democratic Republic of the Congo | state | Democratic Republic of the Congo; DR Congo; DRC; Kinshasa
    ; Congolese
Rwanda | state | Rwanda; Kigali; Rwandan
Nigeria | state | Nigeria; Abuja; Nigerian; Nigerians
Mali | state | Mali; Bamako; Malian
Niger | state | Niger; Niamey; Nigerien
Chad | state | Chad; N'Djamena; Chadian
Algeria | state | Algeria; Algiers; Algerian
Morocco | state | Morocco; Rabat; Moroccan
South Africa | state | South Africa; Pretoria; South African
Philippines | state | Philippines; Manila; Philippine; Filipino; Filipinos
Vietnam | state | Vietnam; Hanoi; Vietnamese
Indonesia | state | Indonesia; Jakarta; Indonesian
Malaysia | state | Malaysia; Kuala Lumpur; Malaysian
Australia | state | Australia; Canberra; Australian; Australians
Canada | state | Canada; Ottawa; Canadian; Canadians
Mexico | state | Mexico; Mexico City; Mexican
Brazil | state | Brazil; Brasília; Brasilia; Brazilian
Venezuela | state | Venezuela; Caracas; Venezuelan
Colombia | state | Colombia; Bogotá; Bogota; Colombian
Cuba | state | Cuba; Havana; Cuban
"""

# aliases matched only with their exact capitals (common words, or short forms)
_CASE_SENSITIVE = {
    "US",
    "UN",
    "EU",
    "AU",
    "UK",
    "USA",
    "UAE",
    "DRC",
    "G7",
    "Turkey",
    "Chad",
    "Jordan",
    "Georgia",
    "Niger",
    "Congress",
    "Poles",
    "Turks",
    "Cuba",
}
# seats of government and cities that stand for a state in the news, but also name a place
CAPITALS = {
    "Washington",
    "Moscow",
    "Kyiv",
    "Kiev",
    "London",
    "Paris",
    "Berlin",
    "Rome",
    "Madrid",
    "Warsaw",
    "Budapest",
    "Bucharest",
    "Chisinau",
    "Minsk",
    "Tallinn",
    "Riga",
    "Vilnius",
    "Helsinki",
    "Stockholm",
    "Oslo",
    "Copenhagen",
    "The Hague",
    "Amsterdam",
    "Bern",
    "Vienna",
    "Athens",
    "Ankara",
    "Belgrade",
    "Pristina",
    "Tbilisi",
    "Yerevan",
    "Baku",
    "Beijing",
    "Taipei",
    "Tokyo",
    "Seoul",
    "Pyongyang",
    "New Delhi",
    "Delhi",
    "Islamabad",
    "Kabul",
    "Tehran",
    "Baghdad",
    "Damascus",
    "Jerusalem",
    "Ramallah",
    "Beirut",
    "Amman",
    "Riyadh",
    "Abu Dhabi",
    "Doha",
    "Muscat",
    "Sanaa",
    "Cairo",
    "Tripoli",
    "Khartoum",
    "Port Sudan",
    "Juba",
    "Addis Ababa",
    "Asmara",
    "Mogadishu",
    "Nairobi",
    "Kinshasa",
    "Kigali",
    "Abuja",
    "Bamako",
    "Niamey",
    "N'Djamena",
    "Algiers",
    "Rabat",
    "Pretoria",
    "Manila",
    "Hanoi",
    "Jakarta",
    "Kuala Lumpur",
    "Canberra",
    "Ottawa",
    "Mexico City",
    "Brasília",
    "Brasilia",
    "Bogotá",
    "Bogota",
    "Caracas",
    "Havana",
    "Brussels",
}


@dataclass(frozen=True)
class Entry:
    """A party of the gazetteer: its name, kind (state, organisation, group) and aliases."""

    name: str
    kind: str
    aliases: tuple[str, ...]


@functools.cache
def entries() -> tuple[Entry, ...]:
    out = []
    # a line that starts with spaces continues the aliases of the line before
    for line in re.sub(r"\n\s+;", ";", _TABLE.strip()).splitlines():
        name, kind, aliases = (p.strip() for p in line.split("|"))
        out.append(Entry(name, kind, tuple(a.strip() for a in aliases.split(";") if a.strip())))
    return tuple(out)


@functools.cache
def _index() -> dict[str, Entry]:
    idx: dict[str, Entry] = {}
    for e in entries():
        for a in (e.name, *e.aliases):
            idx.setdefault(a if a in _CASE_SENSITIVE else a.lower(), e)
    return idx


def lookup(alias: str) -> Entry | None:
    """The party an alias stands for ("the Kremlin" → Russia), or None."""
    a = re.sub(r"^the\s+", "", " ".join(alias.split()), flags=re.I)
    a = re.sub(r"['’]s$", "", a)
    idx = _index()
    return idx.get(a) if a in _CASE_SENSITIVE else idx.get(a.lower())


@functools.cache
def matcher() -> re.Pattern[str]:
    """One regular expression matching every alias as a whole word (longest first)."""
    aliases = sorted({a for e in entries() for a in (e.name, *e.aliases)}, key=len, reverse=True)
    parts = []
    for a in aliases:
        body = re.escape(a).replace(r"\ ", r"\s+")
        if a in _CASE_SENSITIVE:
            parts.append(f"(?-i:{body})")
        else:
            parts.append(body)
    # a dotted abbreviation (U.S.) ends with a dot, so no word boundary is asked after it
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?:(?<=\.)|(?!\w))", re.I)

"""Council locations carry the register's centre point and, when configured, an extent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from ckanext.publicservices.dcat import geometry
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer, parse_datasets
from ckanext.publicservices.vocabularies import loaders, model, refresh, terms
from tests.dcat.data import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "kent")

DCAT_CENTROID = URIRef("http://www.w3.org/ns/dcat#centroid")
DCAT_BBOX = URIRef("http://www.w3.org/ns/dcat#bbox")
DONCASTER = "E08000017"
DONCASTER_URI = URIRef(model.council_uri(DONCASTER))
# Illustrative test input, NOT real boundaries (a box around Doncaster's centre point).
ILLUSTRATIVE_EXTENTS = (
    "gss_code,west,south,east,north\n"
    "E08000017,-1.35,53.35,-0.85,53.70\n"
    "E09000031,west,51.55,0.03,51.65\n"  # not numbers: skipped
    "E09000030,0.1,51.5,0.0,51.6\n"  # west > east: skipped
    "X99999999,0,50,1,51\n"  # unknown council: skipped
)


def _graph(area: list[str]) -> Graph:
    ds = complete_dataset(0)
    ds["area"] = area
    s = PublicservicesSerializer()
    s.graph_from_dataset(ds)
    return Graph() + s.g


@pytest.fixture
def extents(tmp_path: Path, ckan_config: dict, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "extents.csv"
    path.write_text(ILLUSTRATIVE_EXTENTS)
    monkeypatch.setitem(ckan_config, "ckanext.publicservices.council_extents", str(path))
    return path


def test_register_centre_points_come_from_mysociety_lat_long() -> None:
    # uk_local_authorities.csv: DNC lat 53.5443020969, long -1.0957701973
    assert terms.council_centroid(DONCASTER) == (-1.0957701973, 53.5443020969)
    # a former code resolves to the current council's point
    assert terms.council_centroid("S12000044") == terms.council_centroid("S12000050")


def test_implausible_county_points_are_derived_from_their_districts() -> None:
    # the source puts Kent's centre in East London (0.0944 E, 51.5154 N), ~50 km from its
    # districts' points; the register uses their area-weighted mean instead
    lon, lat = terms.council_centroid("E10000016")
    assert lon > 0.4 and lat < 51.4  # not the source's point (0.094 E, 51.515 N)
    # inside the span of Kent's twelve districts' centre points (Sevenoaks ... Thanet)
    districts = [
        (float(r["long"]), float(r["lat"]))
        for r in loaders.read_csv(loaders.data_path("mysociety_uk_local_authorities.csv"))
        if r["county-la"] == "KEN" and r["current-authority"] == "True"
    ]
    assert len(districts) == 12
    assert min(p[0] for p in districts) < lon < max(p[0] for p in districts)
    assert min(p[1] for p in districts) < lat < max(p[1] for p in districts)
    # counties whose point agrees with their districts keep the source's point
    assert terms.council_centroid("E10000003") == (0.0698969059, 52.3304245511)  # Cambs


def test_refreshed_register_keeps_centre_points(tmp_path: Path) -> None:
    path = tmp_path / "council.csv"
    refresh.write(dict(terms.councils()), str(path))
    reread = loaders.read_refreshed("council", str(path))
    assert reread[DONCASTER].centroid == terms.council_centroid(DONCASTER)
    assert reread["E10000016"].centroid == terms.council_centroid("E10000016")


def test_council_location_has_a_wkt_centroid_and_no_invented_bbox() -> None:
    g = _graph([DONCASTER])
    (centroid,) = g.objects(DONCASTER_URI, DCAT_CENTROID)
    assert str(centroid) == "POINT (-1.09577 53.544302)"
    assert centroid.datatype == geometry.GSP_WKT
    assert list(g.objects(DONCASTER_URI, DCAT_BBOX)) == []


def test_extents_file_gives_a_bbox_and_skips_bad_rows(extents: Path) -> None:
    g = _graph([DONCASTER, "E09000031", "E09000030"])
    (bbox,) = g.objects(DONCASTER_URI, DCAT_BBOX)
    assert bbox.datatype == geometry.GSP_WKT
    assert str(bbox) == (
        "POLYGON ((-1.35 53.35, -0.85 53.35, -0.85 53.7, -1.35 53.7, -1.35 53.35))"
    )
    for code in ("E09000031", "E09000030"):
        assert list(g.objects(URIRef(model.council_uri(code)), DCAT_BBOX)) == []
    found, problems = geometry.read_extents(str(extents))
    assert list(found) == [DONCASTER]
    assert len(problems) == 3
    assert "line 3: west, south, east, north: must be numbers" in problems[0]
    assert problems[1].startswith("line 4: ") and "west < east" in problems[1]
    assert problems[2] == "line 5: gss_code: unknown GSS code 'X99999999'"


def test_missing_extents_file_means_no_bbox_not_an_error(
    ckan_config: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(
        ckan_config, "ckanext.publicservices.council_extents", str(tmp_path / "absent.csv")
    )
    g = _graph([DONCASTER])
    assert list(g.objects(DONCASTER_URI, DCAT_BBOX)) == []
    assert len(list(g.objects(DONCASTER_URI, DCAT_CENTROID))) == 1


def test_geojson_output_gives_one_geojson_literal_per_property(
    extents: Path, ckan_config: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.dcat.output_spatial_format", "geojson")
    g = _graph([DONCASTER])
    (centroid,) = g.objects(DONCASTER_URI, DCAT_CENTROID)
    (bbox,) = g.objects(DONCASTER_URI, DCAT_BBOX)
    assert centroid.datatype == bbox.datatype == geometry.GEOJSON_IMT
    assert json.loads(str(centroid)) == {"type": "Point", "coordinates": [-1.09577, 53.544302]}
    assert json.loads(str(bbox))["type"] == "Polygon"


@pytest.mark.parametrize("fmt", ["ttl", "xml"])
def test_parse_keeps_the_area_and_drops_the_register_geometry(extents: Path, fmt: str) -> None:
    ds = complete_dataset(0)
    ds["area"] = [DONCASTER]
    out = PublicservicesSerializer().serialize_dataset(ds, _format=fmt)
    assert "POINT (-1.09577 53.544302)" in out
    (parsed,) = parse_datasets(out, fmt)
    assert parsed["area"] == [DONCASTER]
    keys = set(parsed) | {e["key"] for e in parsed.get("extras", [])}
    assert not keys & {"spatial", "spatial_centroid", "spatial_bbox", "spatial_text"}

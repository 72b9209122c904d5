import pytest
from ckan.tests import helpers

from .payloads import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_create_minimal():
    from ckan.tests import factories

    user = factories.Sysadmin()
    ctx = {"user": user["name"], "ignore_auth": True}
    pkg = helpers.call_action(
        "package_create",
        ctx,
        name="x1",
        **valid_dataset(
            area=["S12000044"],
            temporal_coverage=[{"start": "2018", "end": "2019-03-31"}],
            user_needs=[{"as_a": "resident", "i_need": "collection days", "so_that": "bins out"}],
        ),
    )
    print(pkg)
    assert pkg["la_service"] == ["http://id.esd.org.uk/service/524"]
    assert pkg["area"] == ["S12000050"]

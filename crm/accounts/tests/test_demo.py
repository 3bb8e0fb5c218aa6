"""The demo organisation loaded by ``manage.py seed_demo``."""

import io

from crm.accounts import demo
from crm.accounts.models import Department, Role, User
from crm.accounts.scope import visible_owner_ids


def test_demo_users_sign_in_with_the_demo_password_and_hold_their_roles(db):
    demo.seed(io.StringIO())
    for username, _name, mobile, department, superior, _pos, _g, role_key in demo.USERS:
        user = User.objects.get(username=username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.mobile == mobile
        assert user.department.name == department
        assert (user.superior.username if user.superior else None) == superior
        assert user.has_role(role_key)


def test_demo_seed_is_idempotent(db):
    demo.seed(io.StringIO())
    counts = (User.objects.count(), Department.objects.count())
    demo.seed(io.StringIO())
    assert (User.objects.count(), Department.objects.count()) == counts


def test_demo_seed_keeps_changes_made_since(db):
    demo.seed(io.StringIO())
    User.objects.filter(username="liqiang").update(name="Renamed")
    demo.seed(io.StringIO())
    assert User.objects.get(username="liqiang").name == "Renamed"


def test_demo_supervisor_sees_the_sales_department_tree(db):
    demo.seed(io.StringIO())
    zhangwei = User.objects.get(username="zhangwei")
    visible = set(User.objects.filter(pk__in=visible_owner_ids(zhangwei)).values_list("username", flat=True))
    assert {"liqiang", "wangfang", "sunli", "liuyang"} <= visible
    assert "zhoujie" not in visible  # customer service is outside the sales department


def test_printed_logins_name_every_demo_user(db):
    out = io.StringIO()
    demo.print_logins(out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    for username, *_rest, role_key in demo.USERS:
        assert username in text
        assert str(Role.Key(role_key).label) in text

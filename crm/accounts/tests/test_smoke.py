def test_default_roles_exist_with_grants(administrator):
    assert administrator.has_perm("accounts.add_user")
    assert administrator.has_perm("dictionary.change_dictitem")


def test_user_list_page_renders_for_administrator(client_for, administrator):
    response = client_for(administrator).get("/accounts/users/")
    assert response.status_code == 200
    assert b"admin_t" in response.content


def test_account_manager_cannot_open_user_list(client_for, account_manager):
    assert client_for(account_manager).get("/accounts/users/").status_code == 403

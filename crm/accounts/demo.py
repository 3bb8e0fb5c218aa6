"""Demo organisation: departments, one or more users per default role."""

from .models import Department, Role, User

DEMO_PASSWORD = "crm-demo-2026"

DEPARTMENTS = [
    ("总经理办公室", None),
    ("销售部", None),
    ("华北销售组", "销售部"),
    ("华南销售组", "销售部"),
    ("客户服务部", None),
    ("信息技术部", None),
]

# username, name, mobile, department, superior, position, gender, role
USERS = [
    ("admin", "赵敏", "13800000001", "信息技术部", None, "系统管理员", "F", Role.Key.ADMINISTRATOR),
    ("chenjing", "陈静", "13800000002", "总经理办公室", None, "总经理", "F", Role.Key.EXECUTIVE),
    ("zhangwei", "张伟", "13800000003", "销售部", None, "销售总监", "M", Role.Key.SUPERVISOR),
    ("liuyang", "刘洋", "13800000004", "华北销售组", "zhangwei", "华北组组长", "M", Role.Key.SUPERVISOR),
    ("liqiang", "李强", "13800000005", "华北销售组", "liuyang", "客户经理", "M", Role.Key.ACCOUNT_MANAGER),
    ("wangfang", "王芳", "13800000006", "华北销售组", "liuyang", "客户经理", "F", Role.Key.ACCOUNT_MANAGER),
    ("sunli", "孙丽", "13800000007", "华南销售组", "zhangwei", "客户经理", "F", Role.Key.ACCOUNT_MANAGER),
    ("zhoujie", "周杰", "13800000008", "客户服务部", "zhangwei", "客服专员", "M", Role.Key.ACCOUNT_MANAGER),
]


def seed(stdout):
    departments = {}
    for name, parent in DEPARTMENTS:
        departments[name], _ = Department.objects.get_or_create(name=name, parent=departments.get(parent))
    for username, name, mobile, department, superior, position, gender, role_key in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            name=name,
            mobile=mobile,
            department=departments[department],
            superior=User.objects.filter(username=superior).first(),
            position=position,
            gender=gender,
            email=f"{username}@example.com",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.roles.add(Role.objects.get(system_key=role_key))


def print_logins(stdout):
    stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
    for username, name, _mobile, _dept, _sup, position, _g, role_key in USERS:
        stdout.write(f"  {username:<10} {name}  {Role.Key(role_key).label} · {position}\n")

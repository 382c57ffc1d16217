"""The demo flow documents (plain data, importable without Django)."""

from typing import Any

LOAN_QUOTE: dict[str, Any] = {
    "key": "loan-quote",
    "name": "Loan quote",
    "kind": "micro",
    "description": "Quotes a loan with a 5% fee and approves it below 1,000.",
    "parameters": [
        {"name": "amount", "type": "number", "required": True},
        {"name": "customer", "type": "string", "required": False, "default": "guest"},
    ],
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 168}},
            {
                "id": "calc",
                "type": "assign",
                "position": {"x": 300, "y": 168},
                "config": {"assignments": [{"variable": "total", "expression": "amount * 1.05"}]},
            },
            {"id": "check", "type": "decision", "position": {"x": 630, "y": 168}},
            {
                "id": "ok",
                "type": "end",
                "position": {"x": 960, "y": 56},
                "config": {
                    "output": {"total": "total", "approved": "true", "customer": "customer"}
                },
            },
            {
                "id": "no",
                "type": "end",
                "position": {"x": 960, "y": 280},
                "config": {"output": {"total": "total", "approved": "false"}},
            },
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "calc"},
            {"id": "e2", "source": "calc", "target": "check"},
            {"id": "e3", "source": "check", "target": "ok", "condition": "total < 1000.0"},
            {"id": "e4", "source": "check", "target": "no", "default": True},
        ],
    },
}

RISK_SCORE: dict[str, Any] = {
    "key": "risk-score",
    "name": "Risk score",
    "kind": "micro",
    "description": "Scores a loan request from the ratio of the amount to the yearly income.",
    "parameters": [
        {"name": "amount", "type": "number", "required": True},
        {"name": "income", "type": "number", "required": True},
    ],
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 168}},
            {
                "id": "ratio",
                "type": "assign",
                "position": {"x": 300, "y": 168},
                "config": {
                    "assignments": [
                        {
                            "variable": "ratio",
                            "expression": "income > 0.0 ? amount / income : 1000.0",
                        }
                    ]
                },
            },
            {"id": "band", "type": "decision", "position": {"x": 630, "y": 168}},
            {
                "id": "high",
                "type": "end",
                "position": {"x": 960, "y": 0},
                "config": {"output": {"score": "90", "level": "'high'", "ratio": "ratio"}},
            },
            {
                "id": "medium",
                "type": "end",
                "position": {"x": 960, "y": 168},
                "config": {"output": {"score": "60", "level": "'medium'", "ratio": "ratio"}},
            },
            {
                "id": "low",
                "type": "end",
                "position": {"x": 960, "y": 336},
                "config": {"output": {"score": "20", "level": "'low'", "ratio": "ratio"}},
            },
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "ratio"},
            {"id": "e2", "source": "ratio", "target": "band"},
            {"id": "e3", "source": "band", "target": "high", "condition": "ratio > 5.0"},
            {"id": "e4", "source": "band", "target": "medium", "condition": "ratio > 2.0"},
            {"id": "e5", "source": "band", "target": "low", "default": True},
        ],
    },
}

ESCALATE_AFTER_S = 120


def _decision_end(node_id: str, decision: str, y: int) -> dict[str, Any]:
    """An end of the loan application: the decision, who asked, and the manager's comment."""
    return {
        "id": node_id,
        "type": "end",
        "position": {"x": 1980, "y": y},
        "config": {
            "output": {
                "decision": f"'{decision}'",
                "applicant": "applicant",
                "amount": "amount",
                "risk": "risk.level",
                "comment": "has(transition.input.comment) ? transition.input.comment : ''",
            }
        },
    }


LOAN_APPLICATION: dict[str, Any] = {
    "key": "loan-application",
    "name": "Loan application",
    "kind": "process",
    "description": (
        "Scores the request, asks for documents when the risk is high, then waits for a "
        f"manager's approval; after {ESCALATE_AFTER_S} s it escalates to a senior manager."
    ),
    "parameters": [
        {"name": "applicant", "type": "string", "required": True},
        {"name": "amount", "type": "number", "required": True},
        {"name": "income", "type": "number", "required": True, "label": "Yearly income"},
    ],
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 224}},
            {
                "id": "score",
                "type": "task",
                "position": {"x": 270, "y": 224},
                "config": {
                    "flow": "risk-score",
                    "input": {"amount": "amount", "income": "income"},
                    "result_variable": "risk",
                },
            },
            {"id": "assess", "type": "decision", "position": {"x": 540, "y": 224}},
            {
                "id": "documents",
                "type": "state",
                "position": {"x": 840, "y": 28},
                "config": {"label": "Waiting for documents"},
            },
            {
                "id": "review",
                "type": "state",
                "position": {"x": 1200, "y": 224},
                "config": {
                    "label": "Manager approval",
                    "group": "managers",
                    "screen": "loan-approval",
                },
            },
            {
                "id": "senior_review",
                "type": "state",
                "position": {"x": 1590, "y": 448},
                "config": {
                    "label": "Senior approval (escalated)",
                    "group": "senior-managers",
                    "screen": "loan-approval",
                },
            },
            _decision_end("approved", "approved", 56),
            _decision_end("rejected", "rejected", 280),
            _decision_end("senior_approved", "approved after escalation", 504),
            _decision_end("senior_rejected", "rejected after escalation", 672),
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "score"},
            {"id": "e2", "source": "score", "target": "assess"},
            {
                "id": "e3",
                "source": "assess",
                "target": "documents",
                "condition": "risk.level == 'high'",
            },
            {"id": "e4", "source": "assess", "target": "review", "default": True},
            {
                "id": "t_documents",
                "source": "documents",
                "target": "review",
                "trigger": "event",
                "name": "documents_received",
                "label": "Documents received",
                "event": "documents_received",
            },
            {
                "id": "t_approve",
                "source": "review",
                "target": "approved",
                "trigger": "manual",
                "name": "approve",
                "label": "Approve",
            },
            {
                "id": "t_reject",
                "source": "review",
                "target": "rejected",
                "trigger": "manual",
                "name": "reject",
                "label": "Reject",
            },
            {
                "id": "t_escalate",
                "source": "review",
                "target": "senior_review",
                "trigger": "scheduled",
                "name": "escalate",
                "label": "Escalate",
                "after_s": ESCALATE_AFTER_S,
            },
            {
                "id": "t_senior_approve",
                "source": "senior_review",
                "target": "senior_approved",
                "trigger": "manual",
                "name": "approve",
                "label": "Approve",
            },
            {
                "id": "t_senior_reject",
                "source": "senior_review",
                "target": "senior_rejected",
                "trigger": "manual",
                "name": "reject",
                "label": "Reject",
            },
        ],
    },
}

LOAN_APPROVAL_SCREEN: dict[str, Any] = {
    "key": "loan-approval",
    "title": "Approve a loan application",
    "flow": "loan-application",
    "parameters": [
        {
            "name": "comment",
            "type": "string",
            "label": "Comment",
            "description": "Sent on with the decision.",
        }
    ],
}

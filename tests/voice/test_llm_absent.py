"""Before Home Assistant 2026.8 (no llm platform): nothing offered, nothing fails."""

from __future__ import annotations

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent, llm
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import ASSISTANT, GARDEN_BUTTON, THETA_BUTTON, Expose


async def test_assist_api_offers_no_camera_bridge_tool(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    expose: Expose,
) -> None:
    """The Assist API of 2026.3 lists intents: none of Camera Bridge's becomes a tool."""
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    expose(THETA_BUTTON, GARDEN_BUTTON)
    # Camera Bridge's intents are registered (for Home Assistant's own agent)
    registered = {handler.intent_type for handler in intent.async_get(hass)}
    assert "CameraBridgeTakePicture" in registered
    context = llm.LLMContext(
        platform="test",
        context=Context(),
        language="en",
        assistant=ASSISTANT,
        device_id=None,
    )
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)
    names = [tool.name.lower() for tool in api.tools]
    assert names  # the API works and lists Home Assistant's own tools
    assert not [name for name in names if "camera" in name]
    assert "Camera Bridge cameras" not in api.api_prompt
